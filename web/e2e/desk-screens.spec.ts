// The desk for a person to look at and for axe-core to audit: the queue, a
// tip, a lead and a contact, at a phone's width and a desk's, in both
// languages (pictures in e2e/screenshots/desk-*.png, not committed), and an
// axe-core scan (WCAG 2.1 A and AA) with no serious or critical violation.
import AxeBuilder from '@axe-core/playwright';
import { request as apiRequest, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { createUnit, Staff, submitTip, uniquePhone, uniquePlace } from './desk-api';

const dir = 'e2e/screenshots';

interface Seeded {
  phone: string;
  tipId: string;
  tipRef: string;
  leadId: string;
}

let seeded: Seeded | null = null;

async function seed(baseURL: string): Promise<Seeded> {
  if (seeded) return seeded;
  const request = await apiRequest.newContext({ baseURL });
  const phone = uniquePhone();
  const place = uniquePlace();
  await createUnit(request, place, ['illicit_card_ads'], 0.02);
  const staff = await Staff.moderator(request);
  const inLead = [];
  for (let i = 0; i < 3; i++) {
    inLead.push(
      await submitTip(request, {
        lat: place.lat + i * 0.003,
        lon: place.lon - i * 0.002,
        phone,
        address: ['稠州北路 88 号附近', '宾王路公交站', '工人西路小区门口'][i]!,
        description: '车窗上夹着的小卡片，印有电话号码和二维码',
      }),
    );
  }
  const v = await staff.verify(inLead[0]!.id);
  for (const t of inLead.slice(1)) {
    const { version } = await staff.claim(t.id);
    await staff.call('POST', `/v1/moderation/tips/${t.id}/verify`, { version, lead_id: v.lead_id });
  }
  // Waiting tips with the same number, one of them the tip we open.
  let open = inLead[0]!;
  for (let i = 0; i < 4; i++) {
    open = await submitTip(request, {
      lat: place.lat + 0.001 * i,
      lon: place.lon + 0.001,
      phone,
      address: '义乌市稠城街道工人北路',
      description: i % 2 ? 'Cards under the wipers of parked cars, same number' : '停车场多辆车上发现同一号码的小卡片',
    });
  }
  await request.dispose();
  seeded = { phone, tipId: open.id, tipRef: open.reference, leadId: v.lead_id };
  return seeded;
}

async function audit(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** The map's chunk drew (a Leaflet container with its scale bar). */
async function mapDrawn(page: Page) {
  await expect(page.locator('.leaflet-control-scale-line').first()).toBeVisible();
}

test.describe('axe-core, WCAG 2.1 AA', () => {
  test.use({ role: 'moderator' });

  for (const lang of ['zh-CN', 'en'] as const) {
    test(`the queue with a tip open (${lang})`, async ({ page, baseURL }) => {
      const s = await seed(baseURL!);
      await page.addInitScript((l) => localStorage.setItem('tipline.lang', l), lang);
      await page.goto(`/console/queue?contact=phone:${s.phone}&tip=${s.tipId}`);
      await expect(page.getByRole('heading', { name: s.tipRef })).toBeVisible();
      await mapDrawn(page);
      await audit(page);
    });
  }

  test('the verify, reject and photo dialogs', async ({ page, baseURL }) => {
    const s = await seed(baseURL!);
    await page.goto(`/console/queue?contact=phone:${s.phone}&tip=${s.tipId}`);
    await expect(page.getByRole('heading', { name: s.tipRef })).toBeVisible();
    await page.keyboard.press('v');
    await expect(page.getByRole('dialog')).toBeVisible();
    await audit(page);
    await page.keyboard.press('Escape');
    await page.keyboard.press('r');
    await expect(page.getByRole('dialog').getByLabel('驳回理由')).toBeEnabled();
    await audit(page);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /放大第 1 张照片/ }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await audit(page);
  });

  test('a lead', async ({ page, baseURL }) => {
    const s = await seed(baseURL!);
    await page.goto(`/console/leads?lead=${s.leadId}`);
    await expect(page.getByRole('heading', { name: '建议转交' })).toBeVisible();
    await mapDrawn(page);
    await audit(page);
  });

  test('a contact', async ({ page, baseURL }) => {
    const s = await seed(baseURL!);
    await page.goto(`/console/contacts?contact=phone:${s.phone}`);
    await expect(page.getByRole('heading', { name: /^\+86/ })).toBeVisible();
    await mapDrawn(page);
    await audit(page);
  });
});

for (const lang of ['zh-CN', 'en'] as const) {
  for (const width of [360, 1440] as const) {
    test.describe(`screens, ${lang} at ${width}px`, () => {
      test.use({ viewport: { width, height: width === 360 ? 740 : 900 } });
      test.beforeEach(async ({ page }) => {
        await page.addInitScript((l) => localStorage.setItem('tipline.lang', l), lang);
      });

      test.describe('moderator', () => {
        test.use({ role: 'moderator' });
        test('queue and tip', async ({ page, baseURL }) => {
          const s = await seed(baseURL!);
          await page.goto(`/console/queue?contact=phone:${s.phone}`);
          await expect(page.getByRole('list', { name: /^(举报|Tips)$/ }).getByRole('listitem').first()).toBeVisible();
          await page.screenshot({ path: `${dir}/desk-queue-${lang}-${width}.png` });
          await page.goto(`/console/queue?contact=phone:${s.phone}&tip=${s.tipId}`);
          await expect(page.getByRole('heading', { name: s.tipRef })).toBeVisible();
          await mapDrawn(page);
          await page.screenshot({ path: `${dir}/desk-tip-${lang}-${width}.png` });
          await page.locator('.list-detail__item').evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
          await page.screenshot({ path: `${dir}/desk-tip-lower-${lang}-${width}.png` });
        });

        test('contacts', async ({ page, baseURL }) => {
          const s = await seed(baseURL!);
          await page.goto(`/console/contacts?contact=phone:${s.phone}`);
          await mapDrawn(page);
          await page.screenshot({ path: `${dir}/desk-contacts-${lang}-${width}.png` });
        });
      });

      test.describe('admin (who may read jurisdictions)', () => {
        test.use({ role: 'admin' });
        test('lead', async ({ page, baseURL }) => {
          const s = await seed(baseURL!);
          await page.goto(`/console/leads?lead=${s.leadId}`);
          await mapDrawn(page);
          await expect(page.locator('.cmap__outline').first()).toBeAttached();
          await page.screenshot({ path: `${dir}/desk-lead-${lang}-${width}.png` });
          await page.locator('.list-detail__item').evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
          await page.screenshot({ path: `${dir}/desk-lead-lower-${lang}-${width}.png` });
        });
      });
    });
  }
}
