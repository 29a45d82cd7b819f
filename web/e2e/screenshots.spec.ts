// Pictures of each page at a phone's and a desk's width, in both languages,
// for a person to look at (e2e/screenshots/, not committed). They assert
// nothing beyond the page having drawn.
import { expect, signIn, test } from './fixtures';

const WIDTHS = [360, 1280] as const;
const LANGS = ['zh-CN', 'en'] as const;
const dir = 'e2e/screenshots';

for (const lang of LANGS) {
  for (const width of WIDTHS) {
    test.describe(`${lang} at ${width}px`, () => {
      test.use({ viewport: { width, height: width === 360 ? 740 : 800 } });
      test.beforeEach(async ({ page }) => {
        await page.addInitScript((l) => localStorage.setItem('tipline.lang', l), lang);
      });

      test('sign-in', async ({ page }) => {
        await page.goto('/console/');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await page.screenshot({ path: `${dir}/signin-${lang}-${width}.png`, fullPage: true });
        // A login nobody has, so no real account nears its failure limit.
        await signIn(page, `nobody-${lang}-${width}`, 'wrong-password');
        await expect(page.getByRole('alert')).toBeVisible();
        await page.screenshot({ path: `${dir}/signin-error-${lang}-${width}.png`, fullPage: true });
      });

      test('reporter', async ({ page }) => {
        await page.goto('/');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await page.screenshot({ path: `${dir}/reporter-${lang}-${width}.png`, fullPage: true });
      });

      test.describe('signed in', () => {
        test.use({ role: 'admin' });
        test('shell', async ({ page }) => {
          await page.goto('/console/queue');
          await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
          await page.screenshot({ path: `${dir}/shell-${lang}-${width}.png`, fullPage: true });
        });
      });
    });
  }
}
