// Signs in through the page once per staff role, checks the desks that role
// gets, and saves the signed-in storage state (see fixtures.ts for how the
// tests use it).
import { test as setup, expect } from '@playwright/test';
import { ACCOUNTS, stateFile, type StaffRole } from './accounts';
import { signIn } from './fixtures';

const DESKS: Record<StaffRole, { home: RegExp; desks: string[] }> = {
  moderator: { home: /\/console\/queue$/, desks: ['审核队列', '线索', '联系方式', '统计'] },
  officer: { home: /\/console\/inbox$/, desks: ['收件箱'] },
  admin: { home: /\/console\/queue$/, desks: ['审核队列', '线索', '联系方式', '管理', '统计'] },
};

for (const role of Object.keys(DESKS) as StaffRole[]) {
  setup(`sign in as ${role}`, async ({ page }) => {
    const a = ACCOUNTS[role];
    await page.goto('/console/');
    await expect(page.getByRole('heading', { name: '登录工作台' })).toBeVisible();
    await signIn(page, a.username, a.password);

    const nav = page.getByRole('navigation', { name: '工作台' });
    await expect(nav.getByRole('link')).toHaveText(DESKS[role].desks);
    await expect(page).toHaveURL(DESKS[role].home);
    await expect(page.getByRole('banner')).toContainText(a.username);
    await page.context().storageState({ path: stateFile(role), indexedDB: true });
  });
}
