// What the moderator's-desk browser tests do through the API: reporters
// submit tips (anonymously, with a receipt, or as the citizen), an admin
// makes units and a second moderator, and the tests read back the state
// the API holds to check it is what the screen said.
import { readFileSync } from 'node:fs';
import { expect, type APIRequestContext, type Browser, type BrowserContext } from '@playwright/test';
import { ACCOUNTS, stateFile } from './accounts';
import { FIXTURES, login, Staff } from './reporter-api';

export { Staff, login };

export interface Submitted {
  id: string;
  reference: string;
  receipt: { code: string; secret: string };
}

/** A place of its own for each call, far from other tests' (so routing and "near" see only ours). */
export function uniquePlace(): { lat: number; lon: number } {
  // Somewhere in Zhejiang, spread over ~1° so two tests rarely share a block.
  return { lat: 29 + Math.random(), lon: 119.5 + Math.random() };
}

/** A mobile number no other test uses. */
export function uniquePhone(): string {
  return `137${Math.floor(Math.random() * 1e8)
    .toString()
    .padStart(8, '0')}`;
}

const card = readFileSync(FIXTURES.jpeg);

/** An anonymous reporter's tip with one photo; the receipt lets the test read it back. */
export async function submitTip(
  request: APIRequestContext,
  t: { lat: number; lon: number; phone?: string; category?: string; description?: string; address?: string },
): Promise<Submitted> {
  const anon = await request.post('/v1/auth/anonymous');
  expect(anon.status()).toBe(201);
  const { access_token } = (await anon.json()) as { access_token: string };
  const auth = { Authorization: `Bearer ${access_token}` };
  const media = await request.post('/v1/media', {
    headers: auth,
    multipart: { file: { name: 'card.jpg', mimeType: 'image/jpeg', buffer: card } },
  });
  expect(media.status(), await media.text()).toBe(201);
  const { id: mediaId } = (await media.json()) as { id: string };
  const res = await request.post('/v1/tips', {
    headers: auth,
    data: {
      category: t.category ?? 'illicit_card_ads',
      description: t.description ?? '车门上的小卡片',
      location: { lat: t.lat, lon: t.lon, accuracy_m: 10 },
      ...(t.address ? { address: t.address } : {}),
      ...(t.phone ? { contacts: [{ kind: 'phone', value: t.phone }] } : {}),
      media_ids: [mediaId],
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { tip: { id: string; reference: string }; receipt: { code: string; secret: string } };
  return { id: body.tip.id, reference: body.tip.reference, receipt: body.receipt };
}

/**
 * An anonymous reporter's tip with these photos and no contacts, returned
 * once the service has read every photo's card (so its suggestions are on
 * the tip).
 */
export async function submitCardTip(
  request: APIRequestContext,
  files: readonly string[],
  t: { lat: number; lon: number; description?: string },
): Promise<Submitted & { mediaIds: string[] }> {
  const anon = await request.post('/v1/auth/anonymous');
  expect(anon.status()).toBe(201);
  const { access_token } = (await anon.json()) as { access_token: string };
  const auth = { Authorization: `Bearer ${access_token}` };
  const mediaIds: string[] = [];
  for (const file of files) {
    const media = await request.post('/v1/media', {
      headers: auth,
      multipart: { file: { name: 'card.jpg', mimeType: 'image/jpeg', buffer: readFileSync(file) } },
    });
    expect(media.status(), await media.text()).toBe(201);
    mediaIds.push(((await media.json()) as { id: string }).id);
  }
  for (const id of mediaIds) {
    await expect
      .poll(
        async () => {
          const r = await request.get(`/v1/media/${id}/suggestions`, { headers: auth });
          return ((await r.json()) as { reading: string }).reading;
        },
        { timeout: 30_000, intervals: [250, 500, 1000] },
      )
      .toBe('done');
  }
  const res = await request.post('/v1/tips', {
    headers: auth,
    data: {
      category: 'illicit_card_ads',
      description: t.description ?? '电线杆上的小卡片，印有二维码',
      location: { lat: t.lat, lon: t.lon, accuracy_m: 10 },
      media_ids: mediaIds,
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { tip: { id: string; reference: string }; receipt: { code: string; secret: string } };
  return { id: body.tip.id, reference: body.tip.reference, receipt: body.receipt, mediaIds };
}

/** The tip as its anonymous reporter reads it. */
export async function receiptView(request: APIRequestContext, r: { code: string; secret: string }) {
  const res = await request.get(`/v1/receipts/${r.code}`, { headers: { 'X-Receipt-Secret': r.secret } });
  expect(res.status()).toBe(200);
  return (await res.json()) as {
    status: string;
    history: Array<{ status: string; note?: string; reason?: { code: string; text_zh: string; text_en: string } }>;
  };
}

/** The reporter writes back through the receipt (an answer puts the tip back in the queue). */
export async function answerByReceipt(request: APIRequestContext, r: { code: string; secret: string }, body: string) {
  const res = await request.post(`/v1/receipts/${r.code}/messages`, { headers: { 'X-Receipt-Secret': r.secret }, data: { body } });
  expect(res.status(), await res.text()).toBe(201);
}

/** A moderator account of the test's own, made by the admin. */
export async function createModerator(request: APIRequestContext): Promise<{ id: string; username: string; password: string }> {
  const admin = await Staff.admin(request);
  const username = `mod-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;
  const password = 'second-moderator-pass-1';
  const u = await admin.call<{ id: string }>('POST', '/v1/admin/users', { username, password, role: 'moderator' });
  return { id: u.id, username, password };
}

/**
 * A browser context signed in as any staff account: the moderator's saved
 * state with a session of this account's own (see fixtures.ts).
 */
export async function contextAs(browser: Browser, baseURL: string, who: { username: string; password: string }): Promise<BrowserContext> {
  const saved = JSON.parse(readFileSync(stateFile('moderator'), 'utf8')) as {
    origins: Array<{ indexedDB?: Array<{ name: string; stores: Array<{ name: string; records: Array<{ key?: unknown; value?: unknown }> }> }> }>;
  };
  const res = await fetch(`${baseURL}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: who.username, password: who.password }),
  });
  expect(res.status).toBe(200);
  const pair = (await res.json()) as { refresh_token: string; refresh_expires_in: number };
  for (const o of saved.origins) {
    for (const db of o.indexedDB ?? []) {
      for (const store of db.stores) {
        if (db.name !== 'tipline' || store.name !== 'sessions') continue;
        store.records = store.records.filter((r) => r.key !== 'console');
        store.records.push({
          key: 'console',
          value: { refresh_token: pair.refresh_token, refresh_expires_at: Date.now() + pair.refresh_expires_in * 1000, seq: 1 },
        });
      }
    }
  }
  return browser.newContext({ storageState: saved as never, locale: 'zh-CN', timezoneId: 'Europe/London' });
}

/** A unit whose jurisdiction is a square of `halfDeg` around a point, taking `categories`. */
export async function createUnit(
  request: APIRequestContext,
  at: { lat: number; lon: number },
  categories: string[],
  halfDeg = 0.01,
): Promise<{ id: string; name_zh: string; name_en: string }> {
  const admin = await Staff.admin(request);
  const n = Math.floor(Math.random() * 1e6);
  const { lat, lon } = at;
  const ring = [
    [lon - halfDeg, lat - halfDeg],
    [lon + halfDeg, lat - halfDeg],
    [lon + halfDeg, lat + halfDeg],
    [lon - halfDeg, lat + halfDeg],
    [lon - halfDeg, lat - halfDeg],
  ];
  return admin.call('POST', '/v1/admin/units', {
    name_zh: `测试派出所${n}`,
    name_en: `Test Station ${n}`,
    kind: 'police_station',
    categories,
    jurisdiction: { type: 'Polygon', coordinates: [ring] },
  });
}

export const MODERATOR = ACCOUNTS.moderator;
