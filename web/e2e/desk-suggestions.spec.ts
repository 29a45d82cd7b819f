// Contacts read off a tip's photos, on the moderator's desk: each listed
// with where it came from and how sure the reader is, outlined on its
// photo (highlighted while pointed at, by mouse or keyboard); confirming
// one makes it one of the tip's contacts, dismissing one takes it away,
// and a decision someone else already made is said in words where it was
// tried.
import type { Page } from '@playwright/test';
import { audit } from './axe';
import { expect, test } from './fixtures';
import { Staff, submitCardTip, uniquePlace } from './desk-api';
import { FIXTURES, QR_PHONE, QR_WECHAT } from './reporter-api';

test.use({ role: 'moderator' });

const pane = (page: Page) => page.getByRole('region', { name: '举报详情' });
const found = (page: Page) => pane(page).getByRole('region', { name: '照片上识别到的联系方式' });

type TipView = {
  contacts: Array<{ kind: string; value: string }>;
  suggestions: Array<{ id: string; kind: string; value: string; state: string }>;
};

test('a moderator sees what was read off the photos, where, and confirms one and dismisses another', async ({ page, request }) => {
  const place = uniquePlace();
  const tip = await submitCardTip(request, [FIXTURES.qrPhone, FIXTURES.qrWechat], place);
  // The queue narrowed to this tip's place, so its row is in the list.
  await page.goto(`/console/queue?${new URLSearchParams({ near: `${place.lat.toFixed(5)},${place.lon.toFixed(5)},500`, tip: tip.id })}`);
  await expect(pane(page).getByRole('heading', { name: tip.reference, exact: true })).toBeVisible();
  const row = page.getByRole('list', { name: '举报' }).getByRole('listitem').filter({ hasText: tip.reference });
  await expect(row).toBeVisible();
  await expect(row).not.toContainText(QR_PHONE);

  const list = found(page).getByRole('listitem');
  await expect(list).toHaveCount(2);
  const phone = list.filter({ hasText: QR_PHONE });
  const wechat = list.filter({ hasText: QR_WECHAT });
  await expect(phone).toContainText('二维码');
  await expect(phone).toContainText(/可信度 \d+%/);
  await expect(phone).toContainText('照片 1');
  await expect(wechat).toContainText('照片 2');
  await expect(pane(page).getByRole('region', { name: '联系方式', exact: true }).getByText('没有联系方式。')).toBeVisible();
  await audit(page);

  // One box on each photo, inside the picture, around the code (right of the middle).
  const photos = pane(page).getByRole('list', { name: '照片', exact: true }).getByRole('listitem');
  const boxes = pane(page).locator('.tip-photos .photo-box');
  await expect(boxes).toHaveCount(2);
  const frame = (await photos.nth(0).locator('img').boundingBox())!;
  const box = (await photos.nth(0).locator('.photo-box').boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(frame.x + frame.width * 0.4);
  expect(box.x + box.width).toBeLessThanOrEqual(frame.x + frame.width + 1);
  expect(box.y).toBeGreaterThanOrEqual(frame.y);
  expect(box.y + box.height).toBeLessThanOrEqual(frame.y + frame.height + 1);
  expect(box.width).toBeGreaterThan(frame.width * 0.1);

  // Pointing at a suggestion highlights its box, and only its box.
  await expect(pane(page).locator('.photo-box--hi')).toHaveCount(0);
  await phone.hover();
  await expect(photos.nth(0).locator('.photo-box')).toHaveClass(/photo-box--hi/);
  await expect(photos.nth(1).locator('.photo-box')).not.toHaveClass(/photo-box--hi/);
  await wechat.hover();
  await expect(photos.nth(1).locator('.photo-box')).toHaveClass(/photo-box--hi/);
  await expect(photos.nth(0).locator('.photo-box')).not.toHaveClass(/photo-box--hi/);

  // The large photo shows the box too, named for screen readers.
  await photos.nth(0).getByRole('button').click();
  const viewer = page.getByRole('dialog');
  await expect(viewer.getByRole('img', { name: `识别位置：电话 ${QR_PHONE}` })).toBeVisible();
  await viewer.getByRole('button', { name: '关闭' }).click();
  await expect(viewer).toHaveCount(0);

  // By keyboard: focus the confirm button (its box lights up), Enter.
  const confirm = phone.getByRole('button', { name: `确认电话 ${QR_PHONE}，加入联系方式` });
  await confirm.focus();
  await expect(photos.nth(0).locator('.photo-box')).toHaveClass(/photo-box--hi/);
  await page.keyboard.press('Enter');
  const contacts = pane(page).getByRole('region', { name: '联系方式', exact: true });
  await expect(contacts.getByText(QR_PHONE, { exact: true })).toBeVisible();
  await expect(phone).toContainText('已加入联系方式');
  await expect(phone.getByRole('button')).toHaveCount(0);
  // The queue's row shows the contact too, without a reload.
  await expect(row).toContainText(`电话 ${QR_PHONE}`);

  await wechat.getByRole('button', { name: `忽略微信 ${QR_WECHAT}` }).click();
  await expect(wechat).toHaveCount(0);
  await expect(list).toHaveCount(1);
  await expect(boxes).toHaveCount(1);
  await expect(contacts.getByText(QR_WECHAT)).toHaveCount(0);

  // What the service holds is what the screen said.
  const mod = await Staff.moderator(request);
  const held = await mod.call<TipView>('GET', `/v1/moderation/tips/${tip.id}`);
  expect(held.contacts).toEqual([expect.objectContaining({ kind: 'phone', value: QR_PHONE })]);
  expect(held.suggestions.map((s) => [s.value, s.state])).toEqual([[QR_PHONE, 'confirmed']]);
});

test('a suggestion someone else dismissed meanwhile is said so, in the moderator’s language, where it was tried', async ({ page, request }) => {
  await page.addInitScript(() => localStorage.setItem('tipline.lang', 'en'));
  const tip = await submitCardTip(request, [FIXTURES.qrWechat], uniquePlace());
  await page.goto(`/console/queue?tip=${tip.id}`);
  const list = page.getByRole('region', { name: 'Contacts found on the photos' });
  const wechat = list.getByRole('listitem').filter({ hasText: QR_WECHAT });
  await expect(wechat).toBeVisible();

  const mod = await Staff.moderator(request);
  const held = await mod.call<TipView>('GET', `/v1/moderation/tips/${tip.id}`);
  await mod.call('POST', `/v1/moderation/tips/${tip.id}/suggestions/${held.suggestions[0]!.id}/dismiss`);

  await wechat.getByRole('button', { name: `Confirm WeChat ${QR_WECHAT}, adding it to the contacts` }).click();
  await expect(list.getByRole('alert')).toHaveText('This suggestion was dismissed and can no longer be confirmed.');
  // The tip was read again: the suggestion is gone, no contact was added.
  await expect(wechat).toHaveCount(0);
  await expect(page.locator('.photo-box')).toHaveCount(0);
  const after = await mod.call<TipView>('GET', `/v1/moderation/tips/${tip.id}`);
  expect(after.contacts).toEqual([]);
});
