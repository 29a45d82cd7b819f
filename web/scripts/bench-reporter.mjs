#!/usr/bin/env node
// A benchmark, not a test (CI does not run it): the reporter's app on an
// emulated slow mobile network — 1.5 Mbit/s each way, 300 ms latency
// (CDP Network.emulateNetworkConditions) — in Debian's Chromium against the
// real binary serving web/dist.
//
// It prints, beside the goals:
//   - open → ready: from the start of the navigation to the report form
//     being usable (the page's `tipline:ready` mark: categories loaded, the
//     photo button live), cold (empty cache, no service worker) and warm
//     (the service worker's cached shell), median of RUNS;
//   - the page's initial JS and CSS, gzipped (what the build's budget counts);
//   - one 4 MB photo's upload over the same link, beside the link's own
//     limit for those bytes (so the client's overhead is what is left).
//
//   cd web && npm run build && TIPLINE_BIN=/work/bin/tipline-dev npm run bench:reporter
//
// Settings: TIPLINE_BIN (default ../target/debug/tipline), RUNS (default 5),
// CHROMIUM_PATH (default /usr/bin/chromium).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = resolve(web, process.env.TIPLINE_BIN ?? '../target/debug/tipline');
const RUNS = Number(process.env.RUNS ?? 5);
const NETWORK = { offline: false, latency: 300, downloadThroughput: 1_500_000 / 8, uploadThroughput: 1_500_000 / 8 };
const GOALS = { readyMs: 2000, bytes: 60 * 1024 };

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function initialSizes() {
  const html = readFileSync(join(web, 'dist', 'index.html'), 'utf8');
  const pick = (re) => [...html.matchAll(re)].map((m) => m[1]);
  const js = [...new Set([...pick(/<script[^>]*\bsrc="\/([^"]+)"/g), ...pick(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)])];
  const css = pick(/<link[^>]*rel="stylesheet"[^>]*href="\/([^"]+)"/g);
  const gz = (files) => files.reduce((n, f) => n + gzipSync(readFileSync(join(web, 'dist', f)), { level: 9 }).length, 0);
  return { js: gz(js), css: gz(css), html: gzipSync(html, { level: 9 }).length };
}

function noisePng(bytes) {
  const side = Math.ceil(Math.sqrt(bytes / 3));
  const raw = Buffer.alloc((side * 3 + 1) * side);
  let x = 7;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    raw[i] = i % (side * 3 + 1) === 0 ? 0 : x >>> 24;
  }
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b) => {
    let c = 0xffffffff;
    for (const v of b) c = table[(c ^ v) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 0 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function openToReady(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await page.goto('/', { waitUntil: 'commit' });
  await page.waitForFunction(() => performance.getEntriesByName('tipline:ready').length > 0, null, { timeout: 30_000 });
  const ms = await page.evaluate(() => performance.getEntriesByName('tipline:ready')[0].startTime);
  return { page, ms };
}

async function main() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const data = mkdtempSync(join(tmpdir(), 'tipline-bench-'));
  const env = { ...process.env, TIPLINE_LOG_LEVEL: 'warn' };
  delete env.TIPLINE_BIN;
  const server = spawn(BIN, ['--data-dir', data, 'serve', '--bind', `127.0.0.1:${port}`], { env, stdio: 'ignore' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (let i = 0; i < 200; i++) {
      const ok = await fetch(`${base}/readyz`).then((r) => r.ok).catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const phone = { baseURL: base, viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };

    const cold = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ ...phone, serviceWorkers: 'block' });
      cold.push((await openToReady(context)).ms);
      await context.close();
    }

    const warm = [];
    const context = await browser.newContext(phone);
    const first = await openToReady(context);
    await first.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await first.page.close();
    for (let i = 0; i < RUNS; i++) {
      const { page, ms } = await openToReady(context);
      warm.push(ms);
      await page.close();
    }

    // One 4 MB photo over the same link.
    const file = join(data, 'photo-4mb.png');
    const photo = noisePng(4_000_000);
    writeFileSync(file, photo);
    const { page } = await openToReady(context);
    const t0 = Date.now();
    await page.getByLabel('拍照或选择照片').setInputFiles([file]);
    await page.getByRole('list', { name: '已选的照片' }).getByText('已上传').waitFor({ timeout: 180_000 });
    const uploadMs = Date.now() - t0;
    const linkMs = ((photo.length * 8) / 1_500_000) * 1000;
    await context.close();

    const sizes = initialSizes();
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
    const verdict = (ok) => (ok ? 'ok' : 'OVER');
    const lines = [
      '',
      `reporter app on 1.5 Mbit/s up and down, 300 ms latency (${RUNS} runs each, median)`,
      `  open → ready, cold (no cache)       ${s(median(cold)).padStart(8)}   goal < ${s(GOALS.readyMs)}  ${verdict(median(cold) < GOALS.readyMs)}   runs: ${cold.map((x) => Math.round(x)).join(', ')} ms`,
      `  open → ready, warm (service worker) ${s(median(warm)).padStart(8)}   goal < ${s(GOALS.readyMs)}  ${verdict(median(warm) < GOALS.readyMs)}   runs: ${warm.map((x) => Math.round(x)).join(', ')} ms`,
      `  initial JS + CSS, gzip              ${kib(sizes.js + sizes.css).padStart(8)}   goal < ${kib(GOALS.bytes)}  ${verdict(sizes.js + sizes.css < GOALS.bytes)}   (JS ${kib(sizes.js)}, CSS ${kib(sizes.css)}; page ${kib(sizes.html)})`,
      `  4 MB photo upload                   ${s(uploadMs).padStart(8)}   the link's own limit for ${(photo.length / 1e6).toFixed(2)} MB: ${s(linkMs)} (overhead ${s(uploadMs - linkMs)})`,
      '',
    ];
    console.log(lines.join('\n'));
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
}

if (spawnSync(BIN, ['--help']).status !== 0) throw new Error(`no tipline binary at ${BIN}`);
await main();
