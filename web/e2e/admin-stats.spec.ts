// The statistics page for a moderator: the period is kept in the URL
// (presets and chosen days, in UTC+8), survives a reload, and is what the
// API is asked for; English says durations and shares in English.
import { expect, test } from './fixtures';

test.use({ role: 'moderator' });

test('a moderator picks a period; it stays in the URL and is what the API is asked for', async ({ page }) => {
  await page.goto('/console/stats');
  await expect(page.getByRole('navigation', { name: '工作台' }).getByRole('link', { name: '统计' })).toHaveAttribute('aria-current', 'page');
  const period = page.getByLabel('统计期间');
  await expect(period).toHaveValue('7d');
  await expect(page.getByRole('region', { name: '本期概况' })).toBeVisible();

  let asked = page.waitForRequest((r) => r.url().includes('/v1/stats/overview'));
  await period.selectOption({ label: '上周' });
  let url = new URL((await asked).url());
  await expect(page).toHaveURL(/\/console\/stats\?period=last_week$/);
  // Monday to Monday, at midnight in UTC+8 (16:00 UTC the day before).
  const from = new Date(url.searchParams.get('from')!);
  const to = new Date(url.searchParams.get('to')!);
  expect(to.getTime() - from.getTime()).toBe(7 * 86400_000);
  expect(from.getUTCHours()).toBe(16);
  expect((from.getUTCDay() + 1) % 7).toBe(1);

  await period.selectOption({ label: '自定义日期' });
  await page.getByLabel('起始日期').fill('2026-11-01');
  await page.getByLabel('截止日期（含）').fill('2026-11-30');
  asked = page.waitForRequest((r) => r.url().includes('/v1/stats/overview'));
  await page.getByRole('button', { name: '查看' }).click();
  url = new URL((await asked).url());
  expect(url.searchParams.get('from')).toBe('2026-10-31T16:00:00.000Z');
  expect(url.searchParams.get('to')).toBe('2026-11-30T16:00:00.000Z');
  await expect(page).toHaveURL(/\?period=custom&from=2026-11-01&to=2026-11-30$/);
  await expect(page.getByText('2026/11/01 00:00 至 2026/12/01 00:00（北京时间）')).toBeVisible();

  await page.reload();
  await expect(page.getByLabel('统计期间')).toHaveValue('custom');
  await expect(page.getByLabel('起始日期')).toHaveValue('2026-11-01');
  await page.goBack();
  await expect(page).toHaveURL(/\?period=last_week$/);
  await expect(page.getByLabel('统计期间')).toHaveValue('last_week');
});

test('in English, durations and the period read in English', async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('tipline.lang', 'en'));
  await page.goto('/console/stats?period=30d');
  await expect(page.getByLabel('Period', { exact: true })).toHaveValue('30d');
  const stages = page.getByRole('figure', { name: 'Time each step took' });
  await expect(stages.getByRole('row', { name: /Submitted → verified/ })).toBeVisible();
  await expect(stages.getByRole('columnheader', { name: 'Median' })).toBeVisible();
  // Every cell is a duration in words, or a dash when the step had none.
  for (const cell of await stages.locator('tbody td.num').all()) {
    await expect(cell).toHaveText(/^(—|\d+|< 1 s|\d+ (s|min|h|d)( \d+ (min|h))?)$/);
  }
});
