// Acceptance 2 (issue 14), the unit's side: axe-core against WCAG 2.1 A and
// AA on the inbox (with a lead just arrived: the notice, the new mark) and
// on an open lead (forwarded with its actions and the return dialog;
// accepted with the progress and resolve forms), in both languages: no
// serious or critical violation.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { Actor, forward } from './admin-api';
import { expect, test, watchPage } from './fixtures';
import { citizenLead, officerPage, stationWithOfficer, type Station } from './inbox-api';

async function audit(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

let station: Station;
let accepted = { id: '', reference: '' };

test.beforeAll(async ({ request }) => {
  test.setTimeout(60_000);
  station = await stationWithOfficer(request, '后宅');
  const lead = await citizenLead(request, '楼道里的小卡片');
  await forward(request, lead.leadId, station.id);
  const officer = new Actor(request, station.officer);
  const seen = await officer.call<{ version: number }>('GET', `/v1/unit/leads/${lead.leadId}`);
  await officer.call('POST', `/v1/unit/leads/${lead.leadId}/accept`, { version: seen.version });
  accepted = { id: lead.leadId, reference: lead.reference };
});

for (const lang of ['zh-CN', 'en'] as const) {
  test.describe(`in ${lang}`, () => {
    test('the inbox, a lead just arrived and open, the return dialog', async ({ browser, baseURL, request, pageProblems }) => {
      const page = await officerPage(browser, baseURL!, station.officer, { lang });
      watchPage(page, pageProblems);
      await page.goto('/console/inbox');
      await expect(page.getByText(/^(实时更新|Live)$/)).toBeVisible();
      const lead = await citizenLead(request, `a11y ${lang} ${Date.now()}`);
      await forward(request, lead.leadId, station.id);
      const cue = page.getByRole('status').filter({ hasText: lead.reference });
      await expect(cue).toBeVisible();
      await audit(page);

      await cue.getByRole('link', { name: new RegExp(lead.reference) }).click();
      const pane = page.getByRole('article', { name: lead.reference });
      await expect(pane.getByRole('region', { name: new RegExp(lead.reference) })).toBeVisible();
      await audit(page);

      await pane.getByRole('button', { name: /^(退回…|Return…)$/ }).click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await audit(page);
      await page.context().close();
    });

    test('an accepted lead with its forms', async ({ browser, baseURL, pageProblems }) => {
      const page = await officerPage(browser, baseURL!, station.officer, { lang });
      watchPage(page, pageProblems);
      await page.goto(`/console/inbox?tab=accepted&lead=${accepted.id}`);
      const pane = page.getByRole('article', { name: accepted.reference });
      await expect(pane.getByRole('form')).toBeVisible();
      await expect(pane.getByRole('region', { name: new RegExp(accepted.reference) })).toBeVisible();
      await pane.getByRole('combobox').selectOption({ index: 1 });
      await audit(page);
      await page.context().close();
    });
  });
}
