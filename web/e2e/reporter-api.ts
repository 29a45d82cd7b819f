// What the reporter's browser tests do through the API, as staff would in
// the console: sign in as the moderator the global setup made with the CLI
// (and the admin), claim and decide tips, build a unit and an officer,
// forward, accept, resolve. Also the files the tests upload.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { ACCOUNTS } from './accounts';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = {
  jpeg: join(here, 'fixtures', 'card.jpg'),
  png: join(here, 'fixtures', 'card.png'),
  // Card photos whose QR code the service reads (made by
  // tests/fixtures/suggestions/make.py, shared with the API's tests).
  qrPhone: join(here, '..', '..', 'tests', 'fixtures', 'suggestions', 'qr-phone.jpg'),
  qrWechat: join(here, '..', '..', 'tests', 'fixtures', 'suggestions', 'qr-wechat.jpg'),
};

/** What the QR codes of FIXTURES.qrPhone and .qrWechat say, as the service stores them. */
export const QR_PHONE = '+8613800138000';
export const QR_WECHAT = 'card_girl_2024';

/** A phone viewport with touch, and the phone's position granted. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  geolocation: { latitude: 29.30612, longitude: 120.07528, accuracy: 12 },
  permissions: ['geolocation'],
};

/** A mobile number no other test uses (the contact groups tips, so each test has its own). */
export function uniquePhone(): string {
  const n = Math.floor(Math.random() * 1e8)
    .toString()
    .padStart(8, '0');
  return `139${n}`;
}

export async function login(request: APIRequestContext, who: { username: string; password: string }): Promise<string> {
  const res = await request.post('/v1/auth/login', { data: { login: who.username, password: who.password } });
  expect(res.status(), `login ${who.username}`).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

export class Staff {
  constructor(
    private request: APIRequestContext,
    private token: string,
    // Access tokens live 5 s here: with these, a call that meets an expired
    // one signs in again and is sent once more.
    private who?: { username: string; password: string },
  ) {}

  static async moderator(request: APIRequestContext) {
    return new Staff(request, await login(request, ACCOUNTS.moderator), ACCOUNTS.moderator);
  }

  static async admin(request: APIRequestContext) {
    return new Staff(request, await login(request, ACCOUNTS.admin), ACCOUNTS.admin);
  }

  async call<T>(method: 'GET' | 'POST', path: string, data?: unknown, status = method === 'POST' ? [200, 201] : [200]): Promise<T> {
    const send = () =>
      this.request.fetch(path, {
        method,
        headers: { Authorization: `Bearer ${this.token}` },
        ...(data !== undefined ? { data } : {}),
      });
    let res = await send();
    if (res.status() === 401 && this.who && !status.includes(401)) {
      this.token = await login(this.request, this.who);
      res = await send();
    }
    const text = await res.text();
    expect(status, `${method} ${path}: ${res.status()} ${text}`).toContain(res.status());
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The queue's tips carrying a contact, in any state. */
  async tipsWithContact(kind: string, value: string) {
    const q = new URLSearchParams({ contact: `${kind}:${value}`, limit: '100' });
    for (const s of ['submitted', 'in_review', 'needs_info', 'verified', 'forwarded', 'closed', 'rejected', 'duplicate', 'withdrawn']) {
      q.append('status', s);
    }
    return (await this.call<{ items: Array<{ id: string; reference: string; version: number; status: string }> }>('GET', `/v1/moderation/tips?${q}`)).items;
  }

  async tip(id: string) {
    return this.call<{ id: string; version: number; status: string; lead_id?: string; contacts: Array<{ kind: string; value: string }>; photos: unknown[]; location: { lat: number; lon: number; accuracy_m?: number } }>(
      'GET',
      `/v1/moderation/tips/${id}`,
    );
  }

  async claim(id: string) {
    return this.call<{ version: number }>('POST', `/v1/moderation/tips/${id}/claim`);
  }

  async verify(id: string) {
    const { version } = await this.claim(id);
    return this.call<{ version: number; lead_id: string; status: string }>('POST', `/v1/moderation/tips/${id}/verify`, { version });
  }

  async ask(id: string, question: string) {
    const { version } = await this.claim(id);
    return this.call('POST', `/v1/moderation/tips/${id}/request-info`, { version, question });
  }
}

/** The receipt the page shows after an anonymous report. */
export async function shownReceipt(page: Page): Promise<{ code: string; secret: string }> {
  const code = (await page.getByTestId('receipt-code').textContent())!.trim();
  const secret = (await page.getByTestId('receipt-secret').textContent())!.trim();
  return { code, secret };
}

/** A PNG of noise of about `bytes` (noise does not compress): a big, real photo. */
export function noisePng(bytes: number, seed = 1): Buffer {
  const side = Math.ceil(Math.sqrt(bytes / 3));
  let x = seed;
  const raw = Buffer.alloc((side * 3 + 1) * side);
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    raw[i] = i % (side * 3 + 1) === 0 ? 0 : x >>> 24;
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const v of b) c = crcTable[(c ^ v) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
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
