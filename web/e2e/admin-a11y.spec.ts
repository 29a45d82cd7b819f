// Acceptance 2 (issue 14): axe-core against WCAG 2.1 A and AA on the admin
// pages — the unit editor with an outline on its map (and a refused shape's
// marker), the staff page with an account open, the statistics page, the
// audit log — in both languages: no serious or critical violation.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { Actor, squareFeature } from './admin-api';

async function audit(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test.use({ role: 'admin' });

let unitId = '';
let userId = '';

test.beforeAll(async ({ request }) => {
  const admin = Actor.admin(request);
  const suffix = Date.now().toString(36);
  const unit = await admin.call<{ id: string }>('POST', '/v1/admin/units', {
    name_zh: `北苑派出所${suffix}`,
    name_en: `Beiyuan Police Station ${suffix}`,
    kind: 'police_station',
    categories: ['illicit_card_ads'],
    jurisdiction: squareFeature(120.08, 29.33, 0.02, 'x').geometry,
    webhook: { url: 'http://127.0.0.1:9/hook', secret: 'a-webhook-secret-e2e' },
  });
  unitId = unit.id;
  const user = await admin.call<{ id: string }>('POST', '/v1/admin/users', {
    username: `a11y-${suffix}`,
    password: 'a11y-officer-pass-1',
    role: 'unit_officer',
    unit_id: unit.id,
  });
  userId = user.id;
});

for (const lang of ['zh-CN', 'en'] as const) {
  test.describe(`in ${lang}`, () => {
    test.beforeEach(async ({ page }) => {
      await page.addInitScript((l) => localStorage.setItem('tipline.lang', l), lang);
    });

    test('the unit editor, with an outline and a marker', async ({ page }) => {
      await page.goto(`/console/admin/units/${unitId}`);
      const map = page.getByRole('region', { name: /辖区预览|Jurisdiction preview/ });
      await expect(map).toBeVisible();
      await expect(map.locator('path.cmap__outline--chosen')).toHaveCount(1);
      await audit(page);
      // A refused shape: the field's error and the marker too.
      await page.getByLabel(/GeoJSON 文本|GeoJSON text/).fill(
        JSON.stringify({ type: 'Polygon', coordinates: [[[120, 29], [121, 30], [121, 29], [120, 30], [120, 29]]] }),
      );
      await page.getByRole('button', { name: /^(保存|Save)$/ }).click();
      await expect(page.getByRole('button', { name: /问题在此|Problem here/ })).toBeVisible();
      await audit(page);
    });

    test('the new-unit form', async ({ page }) => {
      await page.goto('/console/admin/units/new');
      await expect(page.getByRole('form')).toBeVisible();
      await audit(page);
    });

    test('the staff page, an account open', async ({ page }) => {
      await page.goto(`/console/admin/staff/${userId}`);
      await expect(page.getByRole('heading', { level: 2 })).toBeVisible();
      await audit(page);
    });

    test('the statistics page', async ({ page }) => {
      await page.goto('/console/stats');
      await expect(page.getByRole('figure').first()).toBeVisible();
      await audit(page);
    });

    test('the audit log, chain checked', async ({ page }) => {
      await page.goto('/console/admin/audit');
      await page.getByRole('button', { name: /立即核验|Check now/ }).click();
      await expect(page.getByRole('status').filter({ hasText: /已核验至|Verified up to/ })).toBeVisible();
      await audit(page);
    });

    test('the outcomes editor', async ({ page }) => {
      await page.goto('/console/admin/outcomes/number_suspended');
      await expect(page.getByRole('heading', { level: 2 })).toBeVisible();
      await audit(page);
    });
  });
}
