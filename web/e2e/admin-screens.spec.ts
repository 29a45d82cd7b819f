// Acceptance 4 (issue 14): pictures of the admin pages at a desk's and a
// phone's width, in both languages, for a person to look at
// (e2e/screenshots/admin-*.png, not committed): the unit editor with its
// outline, the staff page, the audit log, the statistics. They assert only
// that the page drew what it should.
import { expect, test } from './fixtures';
import { acceptAndResolve, Actor, forward, squareFeature, verifiedLead } from './admin-api';
import { shoot } from './screens';

test.use({ role: 'admin' });

let unitId = '';
let userId = '';

test.beforeAll(async ({ request }) => {
  test.setTimeout(60_000);
  const admin = Actor.admin(request);
  const suffix = Date.now().toString(36);
  // Two areas: a station's district and an island of it across the river.
  const main = squareFeature(120.075, 29.306, 0.03, 'a').geometry.coordinates;
  const island = [
    [
      [120.14, 29.29],
      [120.17, 29.29],
      [120.16, 29.32],
      [120.14, 29.29],
    ],
  ];
  const unit = await admin.call<{ id: string }>('POST', '/v1/admin/units', {
    name_zh: `稠城派出所${suffix}`,
    name_en: `Choucheng Police Station ${suffix}`,
    kind: 'police_station',
    categories: ['illicit_card_ads', 'gambling'],
    accept_hours: 12,
    resolve_hours: 72,
    jurisdiction: { type: 'MultiPolygon', coordinates: [main, island] },
    webhook: { url: 'https://hooks.example.cn/tipline', secret: 'screens-webhook-secret' },
  });
  unitId = unit.id;
  const officer = { username: `zhang.wei-${suffix}`, password: 'screens-officer-pass-1' };
  const user = await admin.call<{ id: string }>('POST', '/v1/admin/users', { ...officer, role: 'unit_officer', unit_id: unit.id });
  userId = user.id;
  // Something for the statistics to show.
  const lead = await verifiedLead(request, { lat: 29.307, lon: 120.076 }, 'illicit_card_ads');
  await forward(request, lead.leadId, unit.id);
  await acceptAndResolve(request, officer, lead.leadId, 'number_suspended');
  const other = await verifiedLead(request, { lat: 29.305, lon: 120.074 }, 'gambling');
  await forward(request, other.leadId, unit.id);
});

for (const lang of ['zh-CN', 'en'] as const) {
  for (const width of [1440, 360] as const) {
    test.describe(`${lang} at ${width}px`, () => {
      test.use({ viewport: { width, height: width === 360 ? 740 : 900 } });
      test.beforeEach(async ({ page }) => {
        await page.addInitScript((l) => localStorage.setItem('tipline.lang', l), lang);
      });

      test('unit editor', async ({ page }) => {
        await page.goto(`/console/admin/units/${unitId}`);
        await expect(page.locator('path.cmap__outline--chosen')).toHaveCount(1);
        await shoot(page, `admin-unit-${lang}-${width}`);
        // A pasted shape that crosses itself, refused at its place.
        await page.getByLabel(/GeoJSON 文本|GeoJSON text/).fill(
          JSON.stringify({
            type: 'Polygon',
            coordinates: [[[120.05, 29.28], [120.1, 29.33], [120.1, 29.28], [120.05, 29.33], [120.05, 29.28]]],
          }),
        );
        await page.getByRole('button', { name: /^(保存|Save)$/ }).click();
        await expect(page.getByRole('button', { name: /问题在此|Problem here/ })).toBeVisible();
        await shoot(page, `admin-unit-refused-${lang}-${width}`);
      });

      test('units list', async ({ page }) => {
        await page.goto('/console/admin/units');
        await expect(page.getByRole('list', { name: /^(单位|Units)$/ }).getByRole('link').first()).toBeVisible();
        await shoot(page, `admin-units-${lang}-${width}`);
      });

      test('staff', async ({ page }) => {
        await page.goto(`/console/admin/staff/${userId}`);
        await expect(page.getByRole('heading', { level: 2 })).toBeVisible();
        await page.getByRole('button', { name: /重置密码|Reset the password/ }).click();
        await page.getByRole('button', { name: /生成新密码|Make a new password/ }).click();
        await expect(page.getByText(/只显示这一次|shown this once/)).toBeVisible();
        await shoot(page, `admin-staff-${lang}-${width}`);
        await page.goto('/console/admin/staff');
        await expect(page.getByRole('list', { name: /人员账号|Staff accounts/ }).getByRole('link').first()).toBeVisible();
        await shoot(page, `admin-staff-list-${lang}-${width}`);
      });

      test('audit', async ({ page }) => {
        await page.goto('/console/admin/audit');
        await page.getByRole('button', { name: /立即核验|Check now/ }).click();
        await expect(page.getByRole('status').filter({ hasText: /已核验至|Verified up to/ })).toBeVisible();
        await expect(page.getByRole('table')).toBeVisible();
        await shoot(page, `admin-audit-${lang}-${width}`);
      });

      test('outcomes', async ({ page }) => {
        await page.goto('/console/admin/outcomes/number_suspended');
        await expect(page.getByRole('heading', { level: 2 })).toBeVisible();
        await shoot(page, `admin-outcomes-${lang}-${width}`);
      });

      test('webhooks', async ({ page }) => {
        await page.goto('/console/admin/webhooks');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await expect(page.getByRole('table').or(page.getByText(/没有符合条件|No webhook event/))).toBeVisible();
        await shoot(page, `admin-webhooks-${lang}-${width}`);
      });

      test('statistics', async ({ page }) => {
        await page.goto('/console/stats');
        await expect(page.getByRole('figure', { name: /各单位按时率|Units' on-time rate/ })).toBeVisible();
        await shoot(page, `admin-stats-${lang}-${width}`);
      });
    });
  }
}
