// Acceptance 3: a citizen registers, reports, is asked a question by a
// moderator (through the API), answers it on the page — which puts the tip
// back in review — and later sees the outcome and the points, after the
// rest is driven through the API: verify (a new lead), a unit and its
// officer, forward, accept, resolve with an outcome worth points.
import { expect, test } from './fixtures';
import { FIXTURES, PHONE, Staff, login, uniquePhone } from './reporter-api';

test.use(PHONE);

test('a citizen registers, reports, answers a question, and sees the outcome and the points', async ({ page, request }) => {
  test.setTimeout(90_000);
  const mobile = uniquePhone();
  const card = uniquePhone();
  const password = 'citizen-e2e-pass-9';

  await page.goto('/me');
  await page.getByRole('button', { name: '还没有账号？注册' }).tap();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('用手机号注册');
  await page.getByLabel('手机号').fill(`+86 ${mobile.slice(0, 3)} ${mobile.slice(3, 7)} ${mobile.slice(7)}`);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '注册' }).tap();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('我的');
  await expect(page.getByText(`已登录：+86${mobile}`)).toBeVisible();
  await expect(page.getByText('您还没有举报。')).toBeVisible();

  await page.getByRole('link', { name: '写一条举报' }).tap();
  await expect(page.getByRole('heading', { name: '以您的账号举报' })).toBeVisible();
  await page.getByLabel('拍照或选择照片').setInputFiles([FIXTURES.jpeg]);
  await page.getByLabel('联系方式 1：电话').fill(card);
  await page.getByRole('radio', { name: '涉黄小卡片' }).check();
  await expect(page.getByRole('list', { name: '已选的照片' }).getByText('已上传')).toHaveCount(1);
  await page.getByRole('button', { name: '发送举报' }).tap();
  await expect(page.getByRole('heading', { name: '举报已发送' })).toBeVisible();
  // No receipt for an account: the tip is under "Mine".
  await expect(page.getByText('您的回执')).toHaveCount(0);
  await page.getByRole('link', { name: '在“我的”里查看这条举报' }).tap();
  await expect(page.getByTestId('tip-status')).toHaveText('已提交，等待审核');

  const mod = await Staff.moderator(request);
  const [tip] = await mod.tipsWithContact('phone', card);
  expect(tip).toBeDefined();
  await mod.ask(tip!.id, '卡片是在哪条街上发现的？');

  await page.getByRole('button', { name: '刷新' }).tap();
  await expect(page.getByTestId('tip-status')).toHaveText('需要您补充信息');
  const conversation = page.getByRole('region', { name: '与审核员的对话' });
  await expect(conversation).toContainText('卡片是在哪条街上发现的？');
  await conversation.getByLabel('回复审核员').fill('在工人北路和稠州北路路口');
  await conversation.getByRole('button', { name: '发送回复' }).tap();
  await expect(conversation).toContainText('在工人北路和稠州北路路口');
  await expect(page.getByTestId('tip-status')).toHaveText('已提交，等待审核');
  expect((await mod.tip(tip!.id)).status).toBe('submitted');

  // The rest of the way, as staff: verify into a new lead, a unit with an
  // officer, forward, accept, resolve with an outcome worth points.
  const verified = await mod.verify(tip!.id);
  const admin = await Staff.admin(request);
  const suffix = Date.now().toString(36);
  const unit = await admin.call<{ id: string }>('POST', '/v1/admin/units', {
    name_zh: `北苑派出所${suffix}`,
    name_en: `Beiyuan Police Station ${suffix}`,
    kind: 'police_station',
  });
  const officer = { username: `officer-${suffix}`, password: 'officer-e2e-pass-9' };
  await admin.call('POST', '/v1/admin/users', { ...officer, role: 'unit_officer', unit_id: unit.id });
  const lead = await mod.call<{ version: number }>('GET', `/v1/leads/${verified.lead_id}`);
  await mod.call('POST', `/v1/leads/${verified.lead_id}/forward`, { version: lead.version, unit_id: unit.id });

  await page.getByRole('button', { name: '刷新' }).tap();
  await expect(page.getByTestId('tip-status')).toHaveText(`已转交北苑派出所${suffix}`);

  const unitSide = new Staff(request, await login(request, officer));
  const inbox = await unitSide.call<{ version: number }>('GET', `/v1/unit/leads/${verified.lead_id}`);
  const accepted = await unitSide.call<{ version: number }>('POST', `/v1/unit/leads/${verified.lead_id}/accept`, {
    version: inbox.version,
  });
  await unitSide.call('POST', `/v1/unit/leads/${verified.lead_id}/resolve`, {
    version: accepted.version,
    outcome: 'number_suspended',
    public_note: '已通知运营商。',
  });

  await page.getByRole('button', { name: '刷新' }).tap();
  await expect(page.getByTestId('tip-status')).toHaveText('已办结');
  await expect(page.getByRole('status').filter({ hasText: '已办结' })).toContainText(
    '您举报的号码已被依法停机。感谢您的举报！ 已通知运营商。',
  );
  // 20 for the outcome, 10 for being the first to report the number.
  await expect(page.getByTestId('tip-points')).toHaveText('这条举报获得 30 积分');
  await expect(page.getByText('处理结果奖励 20 分')).toBeVisible();
  await expect(page.getByText('首位举报者奖励 10 分')).toBeVisible();

  // Mine: the balance, the notifications with their unread count, the tip in words.
  await page.getByRole('link', { name: '← 我的举报' }).tap();
  await expect(page.getByTestId('points-balance')).toHaveText('共 30 积分');
  const nav = page.getByRole('navigation', { name: '举报应用' });
  await expect(nav.getByRole('link', { name: /我的/ })).toContainText(/\d/);
  const notes = page.getByRole('region', { name: /^通知/ });
  await expect(notes.getByText('您的举报已转交北苑派出所' + suffix + '处理。')).toBeVisible();
  await expect(page.getByRole('region', { name: '我的举报' }).getByRole('link', { name: new RegExp(tip!.reference) })).toContainText(
    '已办结',
  );
  await notes.getByRole('button', { name: '全部标为已读' }).tap();
  await expect(notes.getByRole('button', { name: '全部标为已读' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: '我的' })).toHaveText('我的');
});
