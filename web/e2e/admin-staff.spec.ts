// Staff accounts and texts in the console: an error the service answers is
// shown at the field it names, in the page's language, with what was typed
// kept; a reset password is shown once, works, and the old one stops; a
// disabled account cannot sign in; an outcome's points are changed; the
// audit log has it all, and its chain checks out.
import { expect, test } from './fixtures';
import { ACCOUNTS } from './accounts';

test.use({ role: 'admin' });

async function canSignIn(request: import('@playwright/test').APIRequestContext, username: string, password: string) {
  const res = await request.post('/v1/auth/login', { data: { login: username, password } });
  return res.status();
}

test('a staff account: a taken name said at its field, a password reset shown once, disabled', async ({ page, request, context }) => {
  const suffix = Date.now().toString(36);
  const username = `mod-${suffix}`;
  await page.goto('/console/admin/staff/new');
  const form = page.getByRole('form', { name: '新建账号' });
  // The administrator's own name is taken: the service says so (409), at the field.
  await form.getByLabel('用户名').fill(ACCOUNTS.admin.username);
  await form.getByLabel('角色').selectOption({ label: '审核员' });
  await form.getByLabel('初始密码').fill('first-pass-e2e-1');
  await form.getByRole('button', { name: '创建账号' }).click();
  const name = form.getByLabel('用户名');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toHaveAccessibleDescription(/该用户名已被使用。/);
  await expect(name).toBeFocused();
  await expect(form.getByLabel('初始密码')).toHaveValue('first-pass-e2e-1');

  await name.fill(username);
  await expect(name).not.toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: '创建账号' }).click();
  const detail = page.getByRole('region', { name: username });
  await expect(detail).toContainText('审核员');
  expect(await canSignIn(request, username, 'first-pass-e2e-1')).toBe(200);

  // A new password, shown once, with a copy button and the warning.
  await detail.getByRole('button', { name: '重置密码' }).click();
  await expect(detail.getByText(`要为 ${username} 生成新密码吗？`)).toBeVisible();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await detail.getByRole('button', { name: '生成新密码' }).click();
  const shown = detail.getByRole('alert');
  await expect(shown).toContainText('新密码（只显示这一次）');
  await expect(shown).toContainText('离开此页面后将无法再查看');
  const password = (await shown.locator('code').textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(8);
  await shown.getByRole('button', { name: '复制' }).click();
  await expect(shown.getByRole('button', { name: '已复制' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);
  expect(await canSignIn(request, username, password)).toBe(200);
  expect(await canSignIn(request, username, 'first-pass-e2e-1')).toBe(401);
  await shown.getByRole('button', { name: '我已记下，隐藏密码' }).click();
  await expect(detail.getByText(password)).toHaveCount(0);

  // Disabled: it cannot sign in; enabled again, it can.
  await detail.getByRole('button', { name: '停用账号' }).click();
  await expect(detail.getByRole('status')).toHaveText('账号已停用，其所有登录已结束。');
  await expect(page.getByRole('list', { name: '人员账号' }).getByRole('link', { name: new RegExp(username) })).toContainText('已停用');
  expect(await canSignIn(request, username, password)).not.toBe(200);
  await detail.getByRole('button', { name: '重新启用账号' }).click();
  await expect(detail.getByRole('status')).toHaveText('账号已重新启用。');
  expect(await canSignIn(request, username, password)).toBe(200);

  // Made an officer: the unit is asked for before anything is sent.
  const change = detail.getByRole('form', { name: '更改角色或单位' });
  await change.getByLabel('角色', { exact: true }).selectOption({ label: '单位民警' });
  await change.getByRole('button', { name: '保存' }).click();
  await expect(change.getByLabel('所属单位')).toHaveAccessibleDescription(/单位民警需要选择所属单位。/);

  // The audit log holds the reset, and the chain is intact.
  await page.goto('/console/admin/audit?action=user.password_reset');
  await expect(page.getByLabel('操作', { exact: true })).toHaveValue('user.password_reset');
  await expect(page.getByRole('table').getByRole('row').filter({ hasText: 'user.password_reset' }).first()).toBeVisible();
  await page.getByRole('button', { name: '立即核验' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^已核验至第 [\d,]+ 条事件，哈希链完整/ })).toBeVisible();
});

test('an outcome reworded and repriced; a blank text refused at its field', async ({ page }) => {
  const suffix = Date.now().toString(36);
  const code = `warned_${suffix}`;
  await page.goto('/console/admin/outcomes/_new');
  const form = page.getByRole('form', { name: '新建处理结果' });
  await form.getByLabel('代码').fill(code);
  await form.getByLabel('中文名称').fill('已警告');
  await form.getByLabel('英文名称').fill('Warned');
  await form.getByLabel('给举报人看的说明（中文）').fill('相关人员已被警告。');
  await form.getByLabel('给举报人看的说明（英文）').fill('   ');
  await form.getByLabel('奖励积分').fill('5');
  await form.getByRole('button', { name: '创建' }).click();
  // Checked before sending: nothing reaches the service blank.
  const en = form.getByLabel('给举报人看的说明（英文）');
  await expect(en).toHaveAttribute('aria-invalid', 'true');
  await expect(en).toHaveAccessibleDescription('请填写给举报人看的说明（最多 500 个字）。');
  await en.fill('The people involved were warned.');
  await form.getByRole('button', { name: '创建' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已保存' })).toBeVisible();
  const row = page.getByRole('list', { name: '处理结果' }).getByRole('link', { name: /已警告/ });
  await expect(row).toContainText('5 积分');

  // The same code again: the service's 409 at the code field.
  await page.goto('/console/admin/outcomes/_new');
  const again = page.getByRole('form', { name: '新建处理结果' });
  await again.getByLabel('代码').fill(code);
  await again.getByLabel('中文名称').fill('重复');
  await again.getByLabel('英文名称').fill('Again');
  await again.getByLabel('给举报人看的说明（中文）').fill('重复。');
  await again.getByLabel('给举报人看的说明（英文）').fill('Again.');
  await again.getByRole('button', { name: '创建' }).click();
  await expect(again.getByLabel('代码')).toHaveAccessibleDescription(/已有使用此代码的处理结果。/);

  // Repriced and retired.
  await row.click();
  const edit = page.getByRole('form', { name: '已警告' });
  await edit.getByLabel('奖励积分').fill('8');
  await edit.getByRole('checkbox', { name: /停用/ }).check();
  await edit.getByRole('button', { name: '保存' }).click();
  await expect(edit.getByRole('status')).toHaveText('已保存');
  await expect(row).toContainText('8 积分');
  await expect(row).toContainText('已停用');
});
