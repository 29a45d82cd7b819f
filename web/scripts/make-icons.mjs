// Draws the reporter's app icons (a white map pin on the service's blue) as
// PNG files in public/, with nothing but Node: the same bytes on every run.
// `npm run icons` rewrites them; the PNGs are committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x0b, 0x5c, 0xad];
const WHITE = [0xff, 0xff, 0xff];

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // no filter
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** What colour the point (x, y) in [0, 1]² is, or null for transparent. */
function shade(x, y, { maskable }) {
  // Rounded square for the plain icon; full bleed for the maskable one.
  if (!maskable) {
    const r = 0.18;
    const dx = Math.max(r - x, 0, x - (1 - r));
    const dy = Math.max(r - y, 0, y - (1 - r));
    if (dx * dx + dy * dy > r * r) return null;
  }
  // The pin, smaller on the maskable icon to stay inside its safe zone.
  const s = maskable ? 0.72 : 0.9;
  const px = (x - 0.5) / s + 0.5;
  const py = (y - 0.5) / s + 0.5;
  const cx = 0.5;
  const cy = 0.41;
  const R = 0.22;
  const tipY = 0.84;
  const d = Math.hypot(px - cx, py - cy);
  // Tangent lines from the tip to the circle bound the pin's point.
  const h = tipY - cy;
  const half = Math.asin(R / h);
  const angle = Math.atan2(Math.abs(px - cx), tipY - py);
  // …from where they touch it down to the tip.
  const touchY = tipY - Math.sqrt(h * h - R * R) * Math.cos(half);
  const inPoint = py <= tipY && py >= touchY && angle <= half;
  const inPin = d <= R || inPoint;
  if (inPin && d > 0.085) return WHITE;
  return BLUE;
}

function draw(size, opts) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = 4; // 4×4 samples a pixel
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = shade((x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size, opts);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const i = (y * size + x) * 4;
      if (a) {
        rgba[i] = Math.round(r / a);
        rgba[i + 1] = Math.round(g / a);
        rgba[i + 2] = Math.round(b / a);
      }
      rgba[i + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return png(size, rgba);
}

const out = new URL('../public/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), draw(192, { maskable: false }));
writeFileSync(new URL('icon-512.png', out), draw(512, { maskable: false }));
writeFileSync(new URL('icon-maskable-512.png', out), draw(512, { maskable: true }));
console.log('wrote public/icon-192.png, icon-512.png, icon-maskable-512.png');
