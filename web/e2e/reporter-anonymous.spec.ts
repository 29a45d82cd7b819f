// Acceptance 1: on a phone, an anonymous report with two photos, a phone
// number written with spaces and dashes and the emulated position; the
// receipt is shown; following by receipt shows the tip; after a moderator
// verifies it through the API, the page shows the new state and a
// notification.
import { expect, test } from './fixtures';
import { FIXTURES, PHONE, Staff, shownReceipt, uniquePhone } from './reporter-api';

test.use(PHONE);

test('an anonymous report with two photos, followed by its receipt through verification', async ({ page, request }) => {
  const phone = uniquePhone();
  const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 7)}-${phone.slice(7)}`;
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('举报小广告、诈骗、赌博和毒品信息');
  // The position was allowed before: found without asking.
  await expect(page.getByText('已获取您的位置，精度约 12 米。')).toBeVisible();

  const picker = page.getByLabel('拍照或选择照片');
  await expect(picker).toHaveAttribute('capture', 'environment');
  await expect(picker).toHaveAttribute('accept', 'image/*');
  await picker.setInputFiles([FIXTURES.jpeg, FIXTURES.png]);
  const photos = page.getByRole('list', { name: '已选的照片' }).getByRole('listitem');
  await expect(photos).toHaveCount(2);
  await expect(photos.getByText('已上传')).toHaveCount(2);

  const contact = page.getByLabel('联系方式 1：电话');
  await expect(contact).toHaveAttribute('inputmode', 'tel');
  await contact.fill(spaced);
  await expect(page.getByText(`将记为 +86${phone}`)).toBeVisible();
  await page.getByLabel('描述（可选）').fill('贴在小区门口的车窗上');

  await page.getByRole('button', { name: '发送举报' }).tap();

  await expect(page.getByRole('heading', { name: '举报已发送' })).toBeVisible();
  await expect(page.getByText('回执丢了就无法找回。')).toBeVisible();
  const receipt = await shownReceipt(page);
  expect(receipt.code).toMatch(/^R-/);
  expect(receipt.secret.length).toBeGreaterThan(20);

  // "Save as image" draws the receipt and downloads a PNG.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: '保存为图片' }).tap();
  expect((await download).suggestedFilename()).toBe(`tipline-${receipt.code}.png`);

  // What the service holds: one tip, the number normalised, the place the phone gave, both photos.
  const mod = await Staff.moderator(request);
  const [tip] = await mod.tipsWithContact('phone', phone);
  expect(tip).toBeDefined();
  const full = await mod.tip(tip!.id);
  expect(full.contacts).toEqual([expect.objectContaining({ kind: 'phone', value: `+86${phone}` })]);
  expect(full.photos).toHaveLength(2);
  expect(full.location).toMatchObject({ lat: PHONE.geolocation.latitude, lon: PHONE.geolocation.longitude, accuracy_m: 12 });

  await page.getByRole('link', { name: '用这张回执查看进度' }).tap();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`举报 ${tip!.reference}`);
  await expect(page.getByTestId('tip-status')).toHaveText('已提交，等待审核');

  await mod.verify(tip!.id);

  await page.getByRole('button', { name: '刷新' }).tap();
  await expect(page.getByTestId('tip-status')).toHaveText('已核实，即将转交');
  const notes = page.getByRole('region', { name: /通知/ });
  await expect(notes.getByText('您的举报已核实，将转交有关单位处理。')).toBeVisible();
  await expect(notes.getByText('1 条未读')).toBeVisible();
  await notes.getByRole('button', { name: '全部标为已读' }).tap();
  await expect(notes.getByText('1 条未读')).toHaveCount(0);

  // The phone keeps the receipt for later.
  await page.getByRole('link', { name: '← 全部回执' }).tap();
  await expect(page.getByRole('link', { name: new RegExp(tip!.reference) })).toBeVisible();
  await expect(page.getByText('清除浏览器数据后就会丢失')).toBeVisible();
});
