// axe-core against WCAG 2.1 A and AA: no serious or critical violation on
// the pages that exist (sign-in, the shell, the reporter's frame).
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

async function audit(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

for (const lang of ['zh-CN', 'en'] as const) {
  test.describe(`in ${lang}`, () => {
    test.beforeEach(async ({ page }) => {
      await page.addInitScript((l) => localStorage.setItem('tipline.lang', l), lang);
    });

    test('the sign-in page', async ({ page }) => {
      await page.goto('/console/');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await audit(page);
    });

    test('the reporter frame', async ({ page }) => {
      await page.goto('/');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await audit(page);
    });
  });
}

test.describe('signed in', () => {
  test.use({ role: 'admin' });

  test('the console shell', async ({ page }) => {
    await page.goto('/console/queue');
    await expect(page.getByRole('navigation')).toBeVisible();
    await audit(page);
  });

  test('the shortcut overlay', async ({ page }) => {
    await page.goto('/console/queue');
    await expect(page.getByRole('navigation')).toBeVisible();
    await page.keyboard.press('Shift+Slash');
    await expect(page.getByRole('dialog')).toBeVisible();
    await audit(page);
  });
});
