// Acceptance 1 (issue 14), the unit's side: the station's officer is on the
// inbox when a moderator forwards a lead; it arrives without a reload, with
// the visible cue and the bell; the officer opens it (the tip's text, the
// photo, the place, the number on the card, nothing of who reported),
// accepts it, notes progress and resolves it with an outcome, a public and
// an internal note. The reporter's notifications carry the outcome's text
// and the public note, never the internal one; the lead as the API keeps
// it is what the screen said; an officer of another unit is told the lead
// does not exist. A second test returns a lead with a reason, through a
// failed first try that keeps what was typed.
import { ACCOUNTS } from './accounts';
import { Actor, forward } from './admin-api';
import { expect, test, watchPage } from './fixtures';
import { citizenLead, notificationsOf, officerPage, stationWithOfficer, unitLead } from './inbox-api';
import { login } from './reporter-api';

test('a forwarded lead arrives live; the officer accepts, notes progress and resolves it', async ({ browser, baseURL, request, pageProblems }) => {
  test.setTimeout(120_000);
  const station = await stationWithOfficer(request, '稠城');
  const elsewhere = await stationWithOfficer(request, '北苑');
  const lead = await citizenLead(request, `后门贴满了小卡片 ${Date.now()}`);
  const outcomes = await new Actor(request, station.officer).call<Array<{ code: string; label_zh: string; public_zh: string }>>('GET', '/v1/unit/outcomes');
  const outcome = outcomes.find((o) => o.code === 'number_suspended') ?? outcomes[0]!;

  const page = await officerPage(browser, baseURL!, station.officer);
  watchPage(page, pageProblems);
  await page.goto('/console/inbox');
  const list = page.getByRole('region', { name: '收件箱' });
  await expect(list.getByText('没有待受理的线索。')).toBeVisible();
  await expect(list.getByText('实时更新', { exact: true })).toBeVisible();
  // The bell may ring once the page has had a gesture.
  const sound = list.getByRole('button', { name: '提示音' });
  await expect(list.getByText('点击页面任意处或按任意键后才能响铃')).toBeVisible();
  await expect(sound).toHaveAccessibleDescription('点击页面任意处或按任意键后才能响铃');
  await list.getByRole('heading', { name: '收件箱' }).click();
  await expect(sound).toHaveAccessibleDescription('新线索到达时响铃');
  await expect(sound).toHaveAttribute('aria-pressed', 'true');

  // The moderator forwards it while the officer looks at the inbox.
  await forward(request, lead.leadId, station.id);

  const cue = list.getByRole('status').filter({ hasText: `新线索到达：${lead.reference}` });
  await expect(cue).toBeVisible();
  const rows = list.getByRole('list', { name: '线索：待受理' });
  const row = rows.getByRole('link', { name: new RegExp(lead.reference) });
  await expect(row).toContainText('新');
  await expect(row).toContainText(/还剩 \d/);
  await expect(list.getByRole('group', { name: '按状态' }).getByRole('link', { name: /待受理/ })).toContainText('1');
  await expect.poll(() => page.evaluate(() => window.__tones ?? 0)).toBeGreaterThan(0);
  await expect(page).toHaveTitle(/^\(1\) 收件箱/);

  // Open it from the notice.
  await cue.getByRole('link', { name: `打开 ${lead.reference}` }).click();
  const pane = page.getByRole('article', { name: lead.reference });
  await expect(pane.getByText(lead.description)).toBeVisible();
  await expect(pane.getByRole('button', { name: `放大第 1 张照片（${lead.tipReference}）` })).toBeVisible();
  await expect(pane.getByRole('region', { name: `${lead.reference} 的举报位置` })).toBeVisible();
  await expect(pane.getByText('稠州北路 88 号')).toBeVisible();
  await expect(pane.getByRole('region', { name: '举报中的联系方式' })).toContainText(lead.phone);
  // Nothing of who reported: not the citizen's number, no reporter field.
  await expect(pane).not.toContainText(ACCOUNTS.citizen.username);
  await expect(pane.getByText(/^举报人$/)).toHaveCount(0);
  await expect(row).not.toContainText('新');
  await expect(page).not.toHaveTitle(/^\(1\)/);

  await pane.getByRole('button', { name: '受理', exact: true }).click();
  await expect(pane.getByRole('status')).toHaveText(`已受理 ${lead.reference}，办结期限开始计算。`);
  await expect(pane.getByText(/办结期限 .* · 还剩 \d/)).toBeVisible();
  await expect(list.getByRole('group', { name: '按状态' }).getByRole('link', { name: /办理中/ })).toContainText('1');

  const progress = '已到现场，卡片已清理，正在联系运营商。';
  await pane.getByLabel('记录进展').fill(progress);
  await expect(pane.getByLabel('记录进展')).toHaveAccessibleDescription('仅本单位和审核员可见，举报人看不到。');
  await pane.getByRole('button', { name: '保存进展' }).click();
  await expect(pane.getByRole('status')).toHaveText('进展已记录。');
  await expect(pane.getByRole('region', { name: '线索记录' })).toContainText(progress);
  await expect(pane.getByLabel('记录进展')).toHaveValue('');

  const resolve = pane.getByRole('form', { name: '办结' });
  await resolve.getByLabel('处理结果').selectOption({ label: outcome.label_zh });
  await expect(resolve.getByText(`举报人将看到：${outcome.public_zh}`)).toBeVisible();
  const publicNote = `已通知运营商停机 ${Date.now()}`;
  const internalNote = `内部：卡片来源疑似同一团伙 ${Date.now()}`;
  await expect(resolve.getByLabel('公开说明')).toHaveAccessibleDescription(/举报人会看到这段说明/);
  await resolve.getByLabel('公开说明').fill(publicNote);
  await expect(resolve.getByLabel('内部说明')).toHaveAccessibleDescription(/举报人看不到/);
  await resolve.getByLabel('内部说明').fill(internalNote);
  await resolve.getByRole('button', { name: '办结此线索' }).click();
  await expect(pane.getByRole('status')).toHaveText(`${lead.reference} 已办结，举报人将收到处理结果。`);
  const result = pane.getByRole('region', { name: '办理结果' });
  await expect(pane.getByText('已办结', { exact: true })).toBeVisible();
  await expect(result).toContainText(outcome.label_zh);
  await expect(result.getByTestId('inbox-public-note')).toHaveText(publicNote);
  await expect(result.getByTestId('inbox-internal-note')).toHaveText(internalNote);
  await expect(list.getByRole('group', { name: '按状态' }).getByRole('link', { name: /已办结/ })).toContainText(/[1-9]/);

  // The reporter hears the outcome and the public note, never the internal one.
  await expect
    .poll(async () => (await notificationsOf(request, lead.tipId)).some((n) => n.kind === 'tip.closed'))
    .toBe(true);
  const notes = await notificationsOf(request, lead.tipId);
  const closed = notes.find((n) => n.kind === 'tip.closed')!;
  expect(closed.text_zh).toContain(outcome.public_zh);
  expect(closed.text_zh).toContain(publicNote);
  for (const n of notes) {
    expect(n.text_zh).not.toContain(internalNote);
    expect(n.text_en).not.toContain(internalNote);
    expect(n.text_zh).not.toContain(progress);
  }

  // The API keeps what the screen said.
  const kept = await unitLead(request, station.officer, lead.leadId);
  expect(kept.status).toBe('resolved');
  expect(kept.outcome_code).toBe(outcome.code);
  expect(kept.public_note).toBe(publicNote);
  expect(kept.internal_note).toBe(internalNote);
  expect(kept.history.map((h) => h.action)).toEqual(expect.arrayContaining(['forwarded', 'accepted', 'progress', 'resolved']));
  expect(kept.history.find((h) => h.action === 'progress')?.note).toBe(progress);

  // Another unit's officer, given the lead's address, is told it does not exist.
  const other = await officerPage(browser, baseURL!, elsewhere.officer);
  watchPage(other, pageProblems);
  await other.goto(`/console/inbox?lead=${lead.leadId}`);
  await expect(other.getByRole('heading', { name: '此线索不存在' })).toBeVisible();
  await expect(other.getByRole('region', { name: '线索详情' })).not.toContainText(lead.description);
  await other.context().close();
  await page.context().close();
});

test('the officer returns a lead with a reason, kept through a failed first try', async ({ browser, baseURL, request, pageProblems }) => {
  test.setTimeout(90_000);
  const station = await stationWithOfficer(request, '江东');
  const lead = await citizenLead(request, `车窗上的小卡片 ${Date.now()}`);
  await forward(request, lead.leadId, station.id);

  const page = await officerPage(browser, baseURL!, station.officer, { lang: 'en' });
  watchPage(page, pageProblems);
  await page.goto(`/console/inbox?lead=${lead.leadId}`);
  const pane = page.getByRole('article', { name: lead.reference });
  await expect(pane.getByText(lead.description)).toBeVisible();
  await expect(page.getByRole('list', { name: 'Leads: To accept' }).getByRole('link', { name: new RegExp(lead.reference) })).toBeVisible();

  await pane.getByRole('button', { name: 'Return…' }).click();
  const dialog = page.getByRole('dialog', { name: `Return ${lead.reference}` });
  const reason = 'Not in our area: the address is across the river, in Jiangbei.';
  await dialog.getByLabel('Why it goes back').fill(reason);

  // The first try meets a service that is down for a moment.
  let failed = false;
  await page.route(`**/v1/unit/leads/${lead.leadId}/return`, async (route) => {
    if (failed) return route.continue();
    failed = true;
    await route.fulfill({
      status: 503,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ code: 'service.unavailable', message: 'busy', request_id: 'e2e-return-503' }),
    });
  });
  await dialog.getByRole('button', { name: 'Return to the moderators' }).click();
  await expect(dialog.getByRole('alert')).toContainText('The service is unavailable for a moment; nothing was changed. Retry soon.');
  await expect(dialog.getByLabel('Why it goes back')).toHaveValue(reason);

  await dialog.getByRole('button', { name: 'Return to the moderators' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `${lead.reference} returned to the moderators` })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Leads: To accept' }).getByRole('link', { name: new RegExp(lead.reference) })).toHaveCount(0);

  // With the moderators again, the reason in its history; gone from the unit.
  const mod = Actor.moderator(request);
  const back = await mod.call<{ status: string; unit_id?: string; history: Array<{ action: string; note?: string }> }>('GET', `/v1/leads/${lead.leadId}`);
  expect(back.status).toBe('open');
  expect(back.unit_id).toBeUndefined();
  expect(back.history.find((h) => h.action === 'returned')?.note).toBe(reason);
  const gone = await request.get(`/v1/unit/leads/${lead.leadId}`, {
    headers: { Authorization: `Bearer ${await login(request, station.officer)}` },
  });
  expect(gone.status()).toBe(404);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'This lead does not exist' })).toBeVisible();
  await page.context().close();
});
