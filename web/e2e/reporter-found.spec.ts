// Issue 17, the reporter's half: a card photo's QR code is read by the
// service after the upload, and the page offers what it found ("照片上识别到
// 电话：138 0013 8000 — 添加 / 忽略"). Adding fills the contact field (kept on
// the phone like anything typed, and sent with the report); dismissing
// takes the offer away for good.
import type { Page } from '@playwright/test';
import { audit } from './axe';
import { expect, test } from './fixtures';
import { FIXTURES, PHONE, QR_PHONE, QR_WECHAT, Staff } from './reporter-api';

test.use(PHONE);

const offers = (page: Page) => page.getByRole('list', { name: '照片上识别到的联系方式' });
const contact1 = (page: Page) => page.getByLabel(/^联系方式 1：/);
/** The service reads the card in the background; a debug build on a busy machine takes a while. */
const READ = { timeout: 45_000 };

async function addPhoto(page: Page, file: string) {
  await page.goto('/');
  await expect(page.getByText('已获取您的位置，精度约 12 米。')).toBeVisible();
  await page.getByLabel('拍照或选择照片').setInputFiles([file]);
  await expect(page.getByRole('list', { name: '已选的照片' }).getByText('已上传')).toHaveCount(1);
}

/** The next answer to the page's question about its photo's card. */
const nextReading = (page: Page) =>
  page.waitForResponse((r) => /\/v1\/media\/[^/]+\/suggestions$/.test(new URL(r.url()).pathname) && r.status() === 200);

test('a phone number read off the photo is offered, added to the contacts with one tap, and sent', async ({ page, request }) => {
  await addPhoto(page, FIXTURES.qrPhone);

  const offer = offers(page).getByRole('listitem');
  await expect(offer).toHaveText(/照片上识别到电话：\s*138 0013 8000/, READ);
  await expect(page.getByText('由照片自动识别，请与卡片核对。')).toBeVisible();
  await expect(contact1(page)).toHaveValue('');
  await audit(page);

  await offer.getByRole('button', { name: '添加电话 138 0013 8000' }).tap();
  await expect(contact1(page)).toHaveValue('138 0013 8000');
  await expect(page.getByText(`将记为 ${QR_PHONE}`)).toBeVisible();
  await expect(page.getByText('已加入联系方式：138 0013 8000')).toBeVisible();
  await expect(offers(page)).toHaveCount(0);

  // Kept on this phone like anything typed; not offered again.
  const read = nextReading(page);
  await page.reload();
  await expect(contact1(page)).toHaveValue('138 0013 8000');
  expect(((await (await read).json()) as { reading: string }).reading).toBe('done');
  await expect(offers(page)).toHaveCount(0);

  await page.getByRole('button', { name: '发送举报' }).tap();
  await expect(page.getByRole('heading', { name: '举报已发送' })).toBeVisible();
  const reference = (await page.locator('strong.num').filter({ hasText: /^TL-/ }).textContent())!.trim();

  const mod = await Staff.moderator(request);
  const tip = (await mod.tipsWithContact('phone', QR_PHONE)).find((t) => t.reference === reference);
  expect(tip, `${reference} carries ${QR_PHONE}`).toBeDefined();
  expect((await mod.tip(tip!.id)).contacts).toEqual([expect.objectContaining({ kind: 'phone', value: QR_PHONE })]);
});

test('an offer dismissed stays dismissed, and nothing typed is touched', async ({ page }) => {
  await addPhoto(page, FIXTURES.qrWechat);
  await contact1(page).fill('13912345678');

  const offer = offers(page).getByRole('listitem');
  await expect(offer).toHaveText(new RegExp(`照片上识别到微信：\\s*${QR_WECHAT}`), READ);
  await offer.getByRole('button', { name: `忽略 ${QR_WECHAT}` }).tap();
  await expect(offers(page)).toHaveCount(0);
  await expect(contact1(page)).toHaveValue('13912345678');
  await expect(page.getByLabel(/^联系方式 2：/)).toHaveCount(0);

  const read = nextReading(page);
  await page.reload();
  expect(((await (await read).json()) as { contacts: unknown[] }).contacts).toHaveLength(1);
  await expect(contact1(page)).toHaveValue('13912345678');
  await expect(offers(page)).toHaveCount(0);
});

test('a photo with nothing to read offers nothing and says nothing', async ({ page }) => {
  await addPhoto(page, FIXTURES.jpeg);
  const read = nextReading(page);
  expect(((await (await read).json()) as { reading: string }).reading).toMatch(/pending|done/);
  await expect(offers(page)).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('offline after the upload: no question, no error; back online, the offer comes', async ({ page, context }) => {
  const asked: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/suggestions')) asked.push(r.url());
  });
  await addPhoto(page, FIXTURES.qrPhone);
  await context.setOffline(true);
  const before = asked.length;
  // Absence over time: let two of the page's turns (1.5 s, then 2 s) pass offline.
  await page.waitForTimeout(4_000);
  expect(asked.length, 'no call while the browser says it is offline').toBe(before);
  await expect(offers(page)).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);

  await context.setOffline(false);
  await expect(offers(page).getByRole('button', { name: '添加电话 138 0013 8000' })).toBeVisible(READ);
});
