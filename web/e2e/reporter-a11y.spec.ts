// Acceptance 6: axe-core (WCAG 2.1 A and AA) finds no serious or critical
// violation on the report form (with photos, a contact and its check), the
// receipt, following by receipt, my tips and one of them, in both languages;
// and, on the phone's 360 px, none of them scrolls sideways.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { FIXTURES, PHONE, uniquePhone } from './reporter-api';

async function audit(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    what,
  ).toEqual([]);
  // And at 360 px nothing scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what}: page width`).toBeLessThanOrEqual(360);
}

test.use(PHONE);

for (const lang of ['zh-CN', 'en'] as const) {
  test(`the report form, the receipt and following it (${lang})`, async ({ page }) => {
    await page.addInitScript((l) => localStorage.setItem('tipline.lang', l), lang);
    await page.goto('/');
    await expect(page.getByRole('radio').first()).toBeVisible();
    await audit(page, 'empty form');

    await page.getByLabel(/拍照或选择照片|Take or choose photos/).setInputFiles([FIXTURES.jpeg, FIXTURES.png]);
    await expect(page.getByRole('list').getByText(/已上传|Uploaded/)).toHaveCount(2);
    await page.getByRole('button', { name: /添加联系方式|Add a contact/ }).click();
    await page.getByLabel(/联系方式 1：|Contact 1: /).fill(uniquePhone());
    const second = page.getByLabel(/联系方式 2：|Contact 2: /);
    await second.fill('12345');
    await second.blur();
    await page.getByRole('button', { name: /在地图上调整|Adjust on the map/ }).click();
    await expect(page.getByRole('application')).toBeVisible();
    await audit(page, 'form with photos, an invalid contact and the map');

    await page.getByRole('button', { name: /删除联系方式 2|Remove contact 2/ }).click();
    await page.getByRole('button', { name: /发送举报|Send report/ }).click();
    await expect(page.getByRole('heading', { name: /举报已发送|Report sent/ })).toBeVisible();
    await audit(page, 'the receipt');

    await page.getByRole('link', { name: /用这张回执查看进度|Follow the report with this receipt/ }).click();
    await expect(page.getByTestId('tip-status')).toBeVisible();
    await audit(page, 'the tip by receipt');

    await page.getByRole('link', { name: /全部回执|All receipts/ }).click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await audit(page, 'following by receipt');
  });
}

test('signing in, my tips and one of them', async ({ page }) => {
  await page.goto('/me');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('用手机号登录');
  await audit(page, 'sign-in');
  await page.getByRole('button', { name: '还没有账号？注册' }).click();
  await page.getByLabel('手机号').fill(uniquePhone());
  await page.getByLabel('密码').fill('citizen-a11y-pass-1');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('我的');

  await page.getByRole('link', { name: '写一条举报' }).click();
  await page.getByLabel('拍照或选择照片').setInputFiles([FIXTURES.jpeg]);
  await expect(page.getByRole('list').getByText('已上传')).toHaveCount(1);
  await page.getByRole('button', { name: '发送举报' }).click();
  await expect(page.getByRole('heading', { name: '举报已发送' })).toBeVisible();
  await page.getByRole('link', { name: '我的', exact: true }).click();
  await expect(page.getByRole('region', { name: '我的举报' }).getByRole('link')).toHaveCount(1);
  await audit(page, 'my tips');
  await page.getByRole('region', { name: '我的举报' }).getByRole('link').click();
  await expect(page.getByTestId('tip-status')).toBeVisible();
  await audit(page, 'my tip');
});
