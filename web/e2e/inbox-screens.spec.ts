// Pictures of the unit's inbox for a person to look at
// (e2e/screenshots/inbox-*.png, not committed), at a desk's width and a
// phone's, in both languages: the list just after a lead arrived, a lead
// in hand open with its forms, and a resolved one. They assert only that
// the page drew what it should.
import { Actor, forward } from './admin-api';
import { expect, test, watchPage } from './fixtures';
import { citizenLead, officerPage, stationWithOfficer, type Station } from './inbox-api';
import { shoot } from './screens';

let station: Station;
let inHand = { id: '', reference: '' };

test.beforeAll(async ({ request }) => {
  test.setTimeout(90_000);
  station = await stationWithOfficer(request, '稠城');
  const officer = new Actor(request, station.officer);
  const texts = ['小区楼道墙上贴满了小卡片，印有电话号码和微信号', '公交站广告栏里插着的小卡片', '酒店门口地上散落的小卡片'];
  const leads = [];
  for (const text of texts) {
    const l = await citizenLead(request, text);
    await forward(request, l.leadId, station.id);
    leads.push(l);
  }
  for (const l of leads.slice(0, 2)) {
    const seen = await officer.call<{ version: number }>('GET', `/v1/unit/leads/${l.leadId}`);
    await officer.call('POST', `/v1/unit/leads/${l.leadId}/accept`, { version: seen.version });
  }
  await officer.call('POST', `/v1/unit/leads/${leads[0]!.leadId}/progress`, { note: '已到现场查看，卡片已清理。' });
  const done = await officer.call<{ version: number }>('GET', `/v1/unit/leads/${leads[1]!.leadId}`);
  await officer.call('POST', `/v1/unit/leads/${leads[1]!.leadId}/resolve`, {
    version: done.version,
    outcome: 'number_suspended',
    public_note: '已通知运营商停机。',
    internal_note: '与上周的卡片为同一来源。',
  });
  inHand = { id: leads[0]!.leadId, reference: leads[0]!.reference };
});

for (const lang of ['zh-CN', 'en'] as const) {
  for (const width of [1280, 360] as const) {
    test(`the inbox in ${lang} at ${width}px`, async ({ browser, baseURL, request, pageProblems }) => {
      test.setTimeout(90_000);
      const viewport = { width, height: width === 360 ? 740 : 900 };
      const page = await officerPage(browser, baseURL!, station.officer, { lang, viewport });
      watchPage(page, pageProblems);
      await page.goto('/console/inbox');
      await expect(page.getByText(/^(实时更新|Live)$/)).toBeVisible();
      const arrived = await citizenLead(request, '出租车后座上的小卡片，印有二维码');
      await forward(request, arrived.leadId, station.id);
      await expect(page.getByRole('status').filter({ hasText: arrived.reference })).toBeVisible();
      await shoot(page, `inbox-list-${lang}-${width}`);

      await page.goto(`/console/inbox?tab=accepted&lead=${inHand.id}`);
      const pane = page.getByRole('article', { name: inHand.reference });
      await expect(pane.getByRole('form')).toBeVisible();
      await expect(pane.locator('.cmap:not(.cmap--placeholder)')).toBeVisible();
      await expect(pane.getByRole('button', { name: /放大第 1 张照片|Open photo 1/ })).toBeVisible();
      await expect(pane.locator('.tip-photos img').first()).toHaveJSProperty('complete', true);
      await shoot(page, `inbox-lead-${lang}-${width}`);

      await page.goto('/console/inbox?tab=resolved');
      await page.getByRole('list', { name: /已办结|Resolved/ }).getByRole('link').first().click();
      await expect(page.getByRole('article').getByRole('region', { name: /办理结果|Result/ })).toBeVisible();
      await shoot(page, `inbox-resolved-${lang}-${width}`);
      await page.context().close();
    });
  }
}
