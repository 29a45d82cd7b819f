// Acceptance 2: never lost, never doubled. A report made offline is queued
// (the page says so) and sent when the browser is back online; the service
// holds exactly one tip for it even when the first attempt reached the
// service and its answer was lost. And a draft, photos included, survives
// a reload.
import { expect, test } from './fixtures';
import { FIXTURES, PHONE, Staff, shownReceipt, uniquePhone } from './reporter-api';

test.use(PHONE);
// page.route must see every request: no service worker in between.
test.use({ serviceWorkers: 'block' });

test('a report made offline is queued, then sent once when back online, though the first answer is lost', async ({
  page,
  context,
  request,
}) => {
  const phone = uniquePhone();
  const keys: string[] = [];
  let firstAnswer: { receipt: { code: string } } | null = null;
  await page.route('**/v1/tips', async (route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    keys.push(route.request().headers()['idempotency-key']!);
    if (keys.length === 1) {
      // The tip reaches the service and is made; the phone never hears back.
      const res = await route.fetch();
      expect(res.status()).toBe(201);
      firstAnswer = (await res.json()) as { receipt: { code: string } };
      await route.abort('connectionreset');
      return;
    }
    await route.continue();
  });

  await page.goto('/');
  await expect(page.getByText('已获取您的位置，精度约 12 米。')).toBeVisible();
  await context.setOffline(true);

  await page.getByLabel('拍照或选择照片').setInputFiles([FIXTURES.jpeg]);
  await page.getByLabel('联系方式 1：电话').fill(phone);
  await page.getByRole('button', { name: '发送举报' }).tap();

  await expect(page.getByRole('status').getByText('已保存在本机，联网后将自动发送。')).toBeVisible();
  expect(keys).toEqual([]);

  await context.setOffline(false);

  await expect(page.getByRole('heading', { name: '举报已发送' })).toBeVisible({ timeout: 30_000 });
  expect(keys.length, 'the tip was tried again after the lost answer').toBeGreaterThanOrEqual(2);
  expect(new Set(keys).size, 'every attempt carried the draft’s one Idempotency-Key').toBe(1);
  // The replay answered with the first tip's receipt.
  expect((await shownReceipt(page)).code).toBe(firstAnswer!.receipt.code);

  const mod = await Staff.moderator(request);
  expect(await mod.tipsWithContact('phone', phone)).toHaveLength(1);
});

test('a draft with its photos survives a reload', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('拍照或选择照片').setInputFiles([FIXTURES.png]);
  const photos = page.getByRole('list', { name: '已选的照片' }).getByRole('listitem');
  await expect(photos.getByText('已上传')).toHaveCount(1);
  await page.getByLabel('联系方式 1：电话').fill('010-6234 5678');
  await page.getByLabel('描述（可选）').fill('地铁站出口');
  await page.getByLabel('地址或地标（可选）').fill('稠城街道');

  await page.reload();

  await expect(page.getByLabel('描述（可选）')).toHaveValue('地铁站出口');
  await expect(page.getByLabel('地址或地标（可选）')).toHaveValue('稠城街道');
  await expect(page.getByLabel('联系方式 1：电话')).toHaveValue('010-6234 5678');
  await expect(page.getByText('将记为 +861062345678')).toBeVisible();
  await expect(photos).toHaveCount(1);
  await expect(photos.getByText('已上传')).toHaveCount(1);
  await expect(photos.getByRole('img', { name: '第 1 张照片' })).toBeVisible();
});
