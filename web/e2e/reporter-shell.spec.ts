// Installable, and the app shell works offline: the service worker caches
// the page and its files (never an answer of the API), so the app opens
// with no network, its draft still there.
import { expect, test } from './fixtures';
import { FIXTURES, PHONE } from './reporter-api';

test.use(PHONE);

test('the service worker caches the shell, never the API, and the app opens offline', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.getByRole('radio').first()).toBeVisible();
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.getByLabel('描述（可选）').fill('离线也能打开');
  await page.getByLabel('拍照或选择照片').setInputFiles([FIXTURES.png]);
  await expect(page.getByRole('list').getByText('已上传')).toHaveCount(1);

  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
    }
    return urls;
  });
  expect(cached).toContain('/index.html');
  expect(cached.some((u) => u.startsWith('/assets/'))).toBe(true);
  expect(cached.filter((u) => u.startsWith('/v1/') || u.startsWith('/console'))).toEqual([]);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('举报小广告、诈骗、赌博和毒品信息');
  await expect(page.getByLabel('描述（可选）')).toHaveValue('离线也能打开');
  await expect(page.getByRole('list').getByRole('listitem')).toHaveCount(1);
  // The categories the phone saw last, so a report can be written offline.
  await expect(page.getByRole('radio').first()).toBeVisible();
  // Another page of the app, also from the shell; English too (its chunk is cached).
  await page.goto('/follow');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('查看举报进度');
  await page.getByRole('button', { name: 'English' }).tap();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Follow a report');
});
