// The tests' `test`: `test.use({ role: 'moderator' })` starts signed in as
// that role, and every page fails its test on a script error or a
// Content-Security-Policy violation (inline styles or scripts would be one).
//
// Signed in how: the setup project saved a storage state per role, but the
// API's refresh tokens work once, so a saved state is good for one test
// only. Each test gets that state with a refresh token of its own, from a
// fresh login through the API.

import { readFileSync } from 'node:fs';
import { test as base, expect, type BrowserContextOptions, type Page } from '@playwright/test';
import { ACCOUNTS, stateFile, type StaffRole } from './accounts';

// As `storageState({ indexedDB: true })` writes it (the option's type leaves
// out `indexedDB`).
type StorageState = {
  cookies: Array<Record<string, unknown>>;
  origins: Array<{
    origin: string;
    localStorage: Array<{ name: string; value: string }>;
    indexedDB?: Array<{ name: string; stores: Array<{ name: string; records: Array<{ key?: unknown; value?: unknown }> }> }>;
  }>;
};

export async function freshConsoleState(baseURL: string, role: StaffRole): Promise<StorageState> {
  const saved = JSON.parse(readFileSync(stateFile(role), 'utf8')) as StorageState;
  const a = ACCOUNTS[role];
  const res = await fetch(`${baseURL}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: a.username, password: a.password }),
  });
  expect(res.status, `login as ${a.username}`).toBe(200);
  const pair = (await res.json()) as { refresh_token: string; refresh_expires_in: number };
  const value = {
    refresh_token: pair.refresh_token,
    refresh_expires_at: Date.now() + pair.refresh_expires_in * 1000,
    seq: 1,
  };
  // The console keeps it in IndexedDB `tipline`, store `sessions`, key
  // `console` (src/shared/session/store.ts).
  let replaced = 0;
  for (const o of saved.origins) {
    for (const db of o.indexedDB ?? []) {
      if (db.name !== 'tipline') continue;
      for (const store of db.stores) {
        if (store.name !== 'sessions') continue;
        store.records = store.records.filter((r) => r.key !== 'console');
        store.records.push({ key: 'console', value });
        replaced += 1;
      }
    }
  }
  expect(replaced, `the saved ${role} state holds the console's session store`).toBe(1);
  return saved;
}

/** Collects what would make a page quietly broken. */
export function watchPage(page: Page, problems: string[]) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
}

export const test = base.extend<{ role: StaffRole | null; pageProblems: string[] }>({
  role: [null, { option: true }],
  storageState: async ({ role, storageState, baseURL }, use) => {
    await use(
      role ? ((await freshConsoleState(baseURL!, role)) as BrowserContextOptions['storageState']) : storageState,
    );
  },
  pageProblems: [
    async ({ context }, use) => {
      const problems: string[] = [];
      for (const p of context.pages()) watchPage(p, problems);
      context.on('page', (p) => watchPage(p, problems));
      await use(problems);
      expect(problems, 'script errors or CSP violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** The console's stored session in this page's origin, or null. */
export function storedSession(page: Page): Promise<{ refresh_token: string } | null> {
  return page.evaluate(
    () =>
      new Promise<{ refresh_token: string } | null>((resolve, reject) => {
        const open = indexedDB.open('tipline');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('sessions')) return resolve(null);
          const get = db.transaction('sessions').objectStore('sessions').get('console');
          get.onsuccess = () => resolve((get.result as { refresh_token: string } | undefined) ?? null);
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

/** Fills the console's sign-in form and submits it. */
export async function signIn(page: Page, username: string, password: string) {
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
}
