// Pictures of every page of the reporter's app at a phone's and a desk's
// width, in both languages, for a person to look at (e2e/screenshots/, not
// committed). They assert only that each page drew.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { FIXTURES, uniquePhone } from './reporter-api';

const dir = 'e2e/screenshots';
const shot = (page: Page, name: string, lang: string, width: number) =>
  page.screenshot({ path: `${dir}/reporter-${name}-${lang}-${width}.png`, fullPage: true });

for (const lang of ['zh-CN', 'en'] as const) {
  for (const width of [360, 1280] as const) {
    test.describe(`${lang} at ${width}px`, () => {
      test.use({
        viewport: { width, height: width === 360 ? 740 : 800 },
        geolocation: { latitude: 29.30612, longitude: 120.07528, accuracy: 12 },
        permissions: ['geolocation'],
      });
      test.beforeEach(async ({ page }) => {
        await page.addInitScript((l) => localStorage.setItem('tipline.lang', l), lang);
      });

      test('every reporter page', async ({ page }) => {
        test.setTimeout(90_000);
        await page.goto('/');
        await expect(page.getByRole('radio').first()).toBeVisible();
        await shot(page, 'form-empty', lang, width);

        await page.getByLabel(/拍照或选择照片|Take or choose photos/).setInputFiles([FIXTURES.jpeg, FIXTURES.png]);
        await expect(page.getByRole('list').getByText(/已上传|Uploaded/)).toHaveCount(2);
        await page.getByRole('button', { name: /添加联系方式|Add a contact/ }).click();
        await page.getByLabel(/联系方式 1：|Contact 1: /).fill('138 0013-8000');
        await page.getByLabel(/联系方式 2：|Contact 2: /).fill('12345');
        await page.getByLabel(/联系方式 2：|Contact 2: /).blur();
        await page.getByLabel(/描述|Description/).fill(lang === 'zh-CN' ? '贴在小区门口的车窗上' : 'On car windows at the gate');
        await page.getByRole('button', { name: /在地图上调整|Adjust on the map/ }).click();
        await expect(page.locator('.leaflet-control-scale')).toBeVisible();
        await shot(page, 'form-filled', lang, width);

        await page.getByRole('button', { name: /删除联系方式 2|Remove contact 2/ }).click();
        await page.getByLabel(/联系方式 1：|Contact 1: /).fill(uniquePhone());
        await page.getByRole('button', { name: /发送举报|Send report/ }).click();
        await expect(page.getByRole('heading', { name: /举报已发送|Report sent/ })).toBeVisible();
        await shot(page, 'receipt', lang, width);

        await page.getByRole('link', { name: /用这张回执查看进度|Follow the report with this receipt/ }).click();
        await expect(page.getByTestId('tip-status')).toBeVisible();
        await shot(page, 'tip-by-receipt', lang, width);

        await page.goto('/follow');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await shot(page, 'follow', lang, width);

        await page.goto('/me');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await shot(page, 'signin', lang, width);
        await page.getByRole('button', { name: /注册|Register/ }).first().click();
        await page.getByLabel(/手机号|Mobile number/).fill(uniquePhone());
        await page.getByLabel(/密码|Password/).fill('citizen-shots-pass-1');
        await page.getByRole('button', { name: /^(注册|Register)$/ }).click();
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(/我的|Mine/);
        await page.getByRole('link', { name: /写一条举报|Write a report/ }).click();
        await page.getByLabel(/拍照或选择照片|Take or choose photos/).setInputFiles([FIXTURES.jpeg]);
        await expect(page.getByRole('list').getByText(/已上传|Uploaded/)).toHaveCount(1);
        await page.getByRole('button', { name: /发送举报|Send report/ }).click();
        await expect(page.getByRole('heading', { name: /举报已发送|Report sent/ })).toBeVisible();
        await shot(page, 'sent-citizen', lang, width);
        await page.goto('/me');
        await expect(page.getByRole('region', { name: /我的举报|My reports/ }).getByRole('link')).toHaveCount(1);
        await shot(page, 'mine', lang, width);
        await page.getByRole('region', { name: /我的举报|My reports/ }).getByRole('link').click();
        await expect(page.getByTestId('tip-status')).toBeVisible();
        await shot(page, 'my-tip', lang, width);

        // Offline, a report waiting.
        await page.goto('/');
        await page.getByLabel(/拍照或选择照片|Take or choose photos/).setInputFiles([FIXTURES.png]);
        await expect(page.getByRole('list').getByText(/已上传|Uploaded/)).toHaveCount(1);
        await page.context().setOffline(true);
        await page.getByRole('button', { name: /发送举报|Send report/ }).click();
        await expect(page.getByRole('status').getByText(/已保存在本机|Saved on this phone/)).toBeVisible();
        await shot(page, 'waiting-offline', lang, width);
        await page.context().setOffline(false);
        await expect(page.getByRole('heading', { name: /举报已发送|Report sent/ })).toBeVisible({ timeout: 30_000 });
      });
    });
  }
}
