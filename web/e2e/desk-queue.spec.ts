// The moderator's desk against the real binary: the queue live, decisions
// by key and by mouse, what the reporter then reads, bulk decisions,
// forwarding a lead, and two moderators racing for one tip. Each test
// seeds its own tips through the API with a phone number of its own and
// looks at the queue filtered by it, so tests never see each other's tips.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import {
  answerByReceipt,
  contextAs,
  createModerator,
  createUnit,
  receiptView,
  Staff,
  submitTip,
  uniquePhone,
  uniquePlace,
} from './desk-api';

test.use({ role: 'moderator' });

const rows = (page: Page) => page.getByRole('list', { name: '举报' });
const row = (page: Page, ref: string) => rows(page).getByRole('listitem').filter({ hasText: ref });
const pane = (page: Page) => page.getByRole('region', { name: '举报详情' });
const tipHeading = (page: Page, ref: string) => pane(page).getByRole('heading', { name: ref, exact: true });

async function openQueue(page: Page, phone: string) {
  await page.goto(`/console/queue?contact=phone:${phone}`);
  await expect(page.getByRole('heading', { name: '审核队列', level: 1 })).toBeVisible();
  // Marks this document: still there after live updates means no reload happened.
  await page.evaluate(() => ((window as unknown as { __desk: number }).__desk = 1));
}

const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { __desk?: number }).__desk === 1);

test('the queue shows waiting tips with counts, a new one arrives live, and two tips are verified into one lead by keys', async ({
  page,
  request,
}) => {
  const phone = uniquePhone();
  const place = uniquePlace();
  const first = await submitTip(request, { ...place, phone, description: '小区门口的小卡片' });

  await openQueue(page, phone);
  await expect(row(page, first.reference)).toContainText('新提交');
  const waitingTab = page.getByRole('group', { name: '按状态' }).getByRole('link', { name: /^待审核/ });
  await expect(waitingTab).toHaveAttribute('aria-current', 'page');
  await expect(waitingTab).toHaveText(/待审核\s*[\d,]+/);

  // Submitted while the queue is open: it appears without a reload.
  const second = await submitTip(request, { lat: place.lat + 0.0005, lon: place.lon, phone, description: '同一号码的第二张卡片' });
  await expect(row(page, second.reference)).toBeVisible({ timeout: 20_000 });
  expect(await notReloaded(page)).toBe(true);

  // Claim, then verify into a new lead: c, v, Enter.
  await row(page, first.reference).getByRole('link').click();
  await expect(tipHeading(page, first.reference)).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`tip=${first.id}`));
  await page.keyboard.press('c');
  await expect(pane(page).getByText(/我正在处理/)).toBeVisible();
  await page.keyboard.press('v');
  const verify1 = page.getByRole('dialog', { name: `核实 ${first.reference}` });
  await expect(verify1.getByRole('button', { name: '核实并新建线索' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(verify1).toBeHidden();

  // Where it went, and the next tip opened.
  const said = page.getByRole('status').filter({ hasText: `${first.reference} 已核实` });
  await expect(said).toContainText(/→ LD-/);
  const leadRef = (await said.getByRole('link').textContent())!.trim();
  await expect(tipHeading(page, second.reference)).toBeVisible();
  await expect(row(page, first.reference)).toContainText(`我：已核实 → ${leadRef}`);

  // The second one into the same lead: v, Enter (the lead with the same contact is proposed).
  await expect(pane(page).getByRole('button', { name: `加入 ${leadRef}` })).toBeVisible();
  await page.keyboard.press('v');
  const verify2 = page.getByRole('dialog', { name: `核实 ${second.reference}` });
  await expect(verify2.getByRole('button', { name: `核实并加入 ${leadRef}` })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: `${second.reference} 已核实` })).toContainText(leadRef);
  await expect(row(page, second.reference)).toContainText(`我：已核实 → ${leadRef}`);

  // What the API holds is what the screen said.
  const staff = await Staff.moderator(request);
  const a = await staff.call<{ status: string; lead?: { id: string; reference: string } }>('GET', `/v1/moderation/tips/${first.id}`);
  const b = await staff.call<{ status: string; lead?: { id: string; reference: string } }>('GET', `/v1/moderation/tips/${second.id}`);
  expect([a.status, b.status]).toEqual(['verified', 'verified']);
  expect(a.lead?.reference).toBe(leadRef);
  expect(b.lead?.id).toBe(a.lead?.id);
  expect(await notReloaded(page)).toBe(true);
});

test('a rejection with a reason reaches the reporter with the reason’s text', async ({ page, request }) => {
  const phone = uniquePhone();
  const tip = await submitTip(request, { ...uniquePlace(), phone });
  await openQueue(page, phone);
  await row(page, tip.reference).getByRole('link').click();
  await expect(tipHeading(page, tip.reference)).toBeVisible();

  await pane(page).getByRole('button', { name: '驳回' }).click();
  const dialog = page.getByRole('dialog', { name: `驳回 ${tip.reference}` });
  await dialog.getByLabel('驳回理由').selectOption({ label: '证据不足' });
  await expect(dialog).toContainText('照片或描述不足以核实线索');
  await dialog.getByLabel(/补充说明/).fill('请拍清楚卡片上的号码。');
  await dialog.getByRole('button', { name: '驳回' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${tip.reference} 已驳回` })).toBeVisible();
  await expect(row(page, tip.reference)).toContainText('我：已驳回');

  const seen = await receiptView(request, tip.receipt);
  expect(seen.status).toBe('rejected');
  const entry = seen.history.find((h) => h.status === 'rejected')!;
  expect(entry.reason?.code).toBe('insufficient_evidence');
  expect(entry.reason?.text_zh).toBe('照片或描述不足以核实线索，欢迎补充后重新举报。');
  expect(entry.note).toBe('请拍清楚卡片上的号码。');

  // The next rejection starts with the reason used last.
  const other = await submitTip(request, { ...uniquePlace(), phone });
  await expect(row(page, other.reference)).toBeVisible({ timeout: 20_000 });
  await row(page, other.reference).getByRole('link').click();
  await expect(tipHeading(page, other.reference)).toBeVisible();
  await page.keyboard.press('r');
  await expect(page.getByRole('dialog', { name: `驳回 ${other.reference}` }).getByLabel('驳回理由')).toHaveValue('insufficient_evidence');
  await page.keyboard.press('Escape');
});

test('asking the reporter parks the tip; their answer brings it back to the queue', async ({ page, request }) => {
  const phone = uniquePhone();
  const tip = await submitTip(request, { ...uniquePlace(), phone });
  await openQueue(page, phone);
  await row(page, tip.reference).getByRole('link').click();
  await expect(tipHeading(page, tip.reference)).toBeVisible();

  await page.keyboard.press('a');
  const dialog = page.getByRole('dialog', { name: `向举报人追问（${tip.reference}）` });
  await dialog.getByLabel('问题').fill('卡片是在哪条街上发现的？');
  await dialog.getByRole('button', { name: '发送问题' }).click();
  await expect(row(page, tip.reference)).toContainText('我：待补充');
  expect((await receiptView(request, tip.receipt)).status).toBe('needs_info');

  // The reporter answers through the receipt: live, the row is waiting again.
  await answerByReceipt(request, tip.receipt, '在稠州北路，靠近公交站。');
  await expect(row(page, tip.reference)).toContainText(/举报人：新提交|新提交/, { timeout: 20_000 });
  await row(page, tip.reference).getByRole('link').click();
  await expect(pane(page).getByText('在稠州北路，靠近公交站。')).toBeVisible();

  // And after a reload it is in the waiting list, as the API says.
  await page.goto(`/console/queue?contact=phone:${phone}`);
  await expect(row(page, tip.reference)).toContainText('新提交');
  const staff = await Staff.moderator(request);
  expect((await staff.tip(tip.id)).status).toBe('submitted');
});

test('three tips are rejected in one bulk decision, each result shown', async ({ page, request }) => {
  const phone = uniquePhone();
  const place = uniquePlace();
  const tips = [];
  for (let i = 0; i < 3; i++) tips.push(await submitTip(request, { lat: place.lat + i * 0.001, lon: place.lon, phone }));
  await openQueue(page, phone);
  for (const t of tips) await expect(row(page, t.reference)).toBeVisible();

  // The first by its checkbox, the third with Shift: the range.
  await page.getByRole('checkbox', { name: `选择 ${tips[0]!.reference}` }).check();
  await page.getByRole('checkbox', { name: `选择 ${tips[2]!.reference}` }).click({ modifiers: ['Shift'] });
  const bar = page.getByRole('region', { name: '批量处理' });
  await expect(bar).toContainText('已选 3 条');
  await bar.getByRole('button', { name: '批量驳回…' }).click();
  const dialog = page.getByRole('dialog', { name: '驳回 3 条举报' });
  await dialog.getByLabel('驳回理由').selectOption({ label: '未发现违法内容' });
  await dialog.getByRole('button', { name: '驳回' }).click();

  await expect(page.getByRole('status').filter({ hasText: '批量处理' })).toHaveText('批量处理：成功 3 条，失败 0 条');
  for (const t of tips) await expect(row(page, t.reference)).toContainText('我：已驳回');
  const staff = await Staff.moderator(request);
  for (const t of tips) expect((await staff.tip(t.id)).status).toBe('rejected');
});

test('a lead goes to the unit routing suggests, and the screen and the API agree on where it is', async ({ page, request }) => {
  const phone = uniquePhone();
  const place = uniquePlace();
  const unit = await createUnit(request, place, ['illicit_card_ads']);
  const tips = [await submitTip(request, { ...place, phone }), await submitTip(request, { lat: place.lat + 0.002, lon: place.lon + 0.002, phone })];
  const staff = await Staff.moderator(request);
  const v = await staff.verify(tips[0]!.id);
  const { version } = await staff.claim(tips[1]!.id);
  await staff.call('POST', `/v1/moderation/tips/${tips[1]!.id}/verify`, { version, lead_id: v.lead_id });

  await page.goto(`/console/leads?lead=${v.lead_id}`);
  const lead = page.getByRole('region', { name: '线索详情' });
  await expect(lead.getByRole('heading', { name: /^LD-/ })).toBeVisible();
  await expect(lead.getByRole('heading', { name: '举报（2）' })).toBeVisible();
  // Take one tip out and put it back by its reference, each with the lead's version.
  await lead.getByRole('button', { name: `从线索中移出 ${tips[1]!.reference}` }).click();
  await expect(lead.getByRole('heading', { name: '举报（1）' })).toBeVisible();
  await lead.getByLabel('加入一条已核实、未归入线索的举报').fill(tips[1]!.reference);
  await lead.getByRole('button', { name: '加入', exact: true }).click();
  await expect(lead.getByRole('heading', { name: '举报（2）' })).toBeVisible();

  const suggestion = lead.getByRole('listitem').filter({ hasText: unit.name_zh });
  await expect(suggestion).toContainText('最匹配');
  await suggestion.getByRole('button', { name: `转交给 ${unit.name_zh}` }).click();
  const dialog = page.getByRole('dialog', { name: /^转交 LD-/ });
  await dialog.getByLabel(/给单位的说明/).fill('两处相邻，同一号码。');
  await dialog.getByRole('button', { name: `转交给 ${unit.name_zh}` }).click();

  await expect(lead.getByRole('status')).toContainText(`已转交给 ${unit.name_zh}`);
  await expect(lead.locator('.tip-facts')).toContainText(`${unit.name_zh} · 已转交`);
  const after = await staff.call<{ status: string; unit_id: string; tips: Array<{ status: string }> }>('GET', `/v1/leads/${v.lead_id}`);
  expect(after.status).toBe('forwarded');
  expect(after.unit_id).toBe(unit.id);
  expect(after.tips.map((x) => x.status)).toEqual(['forwarded', 'forwarded']);
});

test('two moderators: one claims, the other sees it live and cannot decide', async ({ page, request, browser, baseURL }) => {
  const phone = uniquePhone();
  const tip = await submitTip(request, { ...uniquePlace(), phone });
  const second = await createModerator(request);
  const other = await contextAs(browser, baseURL!, second);
  const page2 = await other.newPage();
  try {
    await openQueue(page, phone);
    await openQueue(page2, phone);
    await expect(row(page2, tip.reference)).toContainText('新提交');

    // The first moderator claims it by key.
    await row(page, tip.reference).getByRole('link').click();
    await expect(tipHeading(page, tip.reference)).toBeVisible();
    await page.keyboard.press('c');
    await expect(pane(page).getByText(/我正在处理/)).toBeVisible();

    // The second sees who holds it, without a reload.
    await expect(row(page2, tip.reference)).toContainText(/另一位审核员（…[0-9a-f]{4}）正在处理/, { timeout: 20_000 });
    expect(await notReloaded(page2)).toBe(true);
    await row(page2, tip.reference).getByRole('link').click();
    await expect(pane(page2).getByRole('status').filter({ hasText: '正在处理' })).toContainText('另一位审核员');

    // And a decision attempt says what the 409 means, changing nothing.
    await page2.keyboard.press('v');
    await page2.getByRole('dialog', { name: `核实 ${tip.reference}` }).getByRole('button', { name: '核实并新建线索' }).click();
    await expect(pane(page2).getByRole('alert')).toContainText(/没有做出决定：另一位审核员（…[0-9a-f]{4}）正在处理这条举报（至 \d\d:\d\d）。/);
    const staff = await Staff.moderator(request);
    const now = await staff.call<{ status: string; claimed_by?: string }>('GET', `/v1/moderation/tips/${tip.id}`);
    expect(now.status).toBe('in_review');
    expect(now.claimed_by).not.toBe(second.id);

    // The holder rejects it: the other's row and open tip change in place, saying who.
    await page.keyboard.press('r');
    await page.getByRole('dialog', { name: `驳回 ${tip.reference}` }).getByRole('button', { name: '驳回' }).click();
    await expect(row(page2, tip.reference)).toContainText(/另一位审核员（…[0-9a-f]{4}）：已驳回/, { timeout: 20_000 });
    await expect(pane(page2).getByRole('heading', { name: tip.reference })).toBeVisible();
    await expect(pane(page2).locator('.status-label').first()).toHaveText('已驳回');
    expect(await notReloaded(page2)).toBe(true);
  } finally {
    await other.close();
  }
});

test('the CSV export of the filtered queue arrives whole, its rows counted', async ({ page, request }) => {
  const phone = uniquePhone();
  const tips = [];
  for (let i = 0; i < 3; i++) tips.push(await submitTip(request, { ...uniquePlace(), phone, description: `导出测试 ${i}，含逗号, 和 "引号"` }));
  await openQueue(page, phone);
  for (const t of tips) await expect(row(page, t.reference)).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: '导出 CSV' }).click();
  const file = await (await download).path();
  await expect(page.getByRole('status').filter({ hasText: '已导出' })).toHaveText('已导出 3 行');
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync(file, 'utf8');
  for (const t of tips) expect(csv).toContain(t.reference);
});
