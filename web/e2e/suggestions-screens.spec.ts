// Pictures of read cards for a person to look at (e2e/screenshots/
// suggestions-*.png, not committed), at a phone's width and a desk's, in
// both languages: the reporter's offer under the photo, and the moderator's
// tip with its suggestions, a box highlighted. They assert only that the
// page drew what it should.
import { expect, test } from './fixtures';
import { submitCardTip, uniquePlace } from './desk-api';
import { FIXTURES, QR_PHONE } from './reporter-api';
import { shoot } from './screens';

for (const lang of ['zh-CN', 'en'] as const) {
  for (const width of [390, 1366] as const) {
    const viewport = { width, height: width === 390 ? 844 : 900 };

    test.describe(`${lang} at ${width}px`, () => {
      test.beforeEach(async ({ page }) => {
        await page.addInitScript((l) => localStorage.setItem('tipline.lang', l), lang);
      });

      test.describe('the reporter', () => {
        test.use({
          viewport,
          geolocation: { latitude: 29.30612, longitude: 120.07528, accuracy: 12 },
          permissions: ['geolocation'],
        });
        test('the offer under the photo, then added', async ({ page }) => {
          test.setTimeout(90_000);
          await page.goto('/');
          await page.getByLabel(/拍照或选择照片|Take or choose photos/).setInputFiles([FIXTURES.qrPhone, FIXTURES.qrWechat]);
          const offers = page.getByRole('list', { name: /照片上识别到的联系方式|Contacts found on the photos/ });
          await expect(offers.getByRole('listitem')).toHaveCount(2, { timeout: 45_000 });
          await page.locator('#photos-heading').scrollIntoViewIfNeeded();
          await page.screenshot({ path: `e2e/screenshots/suggestions-reporter-offer-${lang}-${width}.png` });
          await offers.getByRole('button', { name: /添加电话|Add Phone/ }).click();
          await expect(page.getByText(/已加入联系方式|Added to the contacts/)).toBeVisible();
          await shoot(page, `suggestions-reporter-added-${lang}-${width}`);
        });
      });

      test.describe('the moderator', () => {
        test.use({ role: 'moderator', viewport });
        test('a tip with its suggestions', async ({ page, request }) => {
          test.setTimeout(90_000);
          const tip = await submitCardTip(request, [FIXTURES.qrPhone, FIXTURES.qrWechat], uniquePlace());
          await page.goto(`/console/queue?tip=${tip.id}`);
          const found = page.getByRole('region', { name: /照片上识别到的联系方式|Contacts found on the photos/ });
          await expect(found.getByRole('listitem')).toHaveCount(2);
          await expect(page.locator('.tip-photos img').first()).toHaveJSProperty('complete', true);
          await found.getByRole('listitem').filter({ hasText: QR_PHONE }).hover();
          await page.locator('.tip-photos').scrollIntoViewIfNeeded();
          await page.screenshot({ path: `e2e/screenshots/suggestions-desk-tip-${lang}-${width}.png` });
          await page.getByRole('button', { name: /放大第 1 张照片|Open photo 1/ }).click();
          await expect(page.getByRole('dialog').locator('img')).toHaveJSProperty('complete', true);
          await page.screenshot({ path: `e2e/screenshots/suggestions-desk-viewer-${lang}-${width}.png` });
        });
      });
    });
  }
}
