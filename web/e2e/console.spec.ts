import type { Page, Response } from '@playwright/test';
import { ACCOUNTS } from './accounts';
import { expect, signIn, storedSession, test } from './fixtures';

const signInHeading = (page: Page) => page.getByRole('heading', { name: /^(登录工作台|Sign in to the console)$/ });
const desks = (page: Page) => page.getByRole('navigation', { name: /^(工作台|Desks)$/ });

test.describe('signing in', () => {
  test('a moderator signs in and lands on the queue', async ({ page }) => {
    await page.goto('/console');
    await expect(page).toHaveURL(/\/console\/$/);
    await expect(signInHeading(page)).toBeVisible();
    await signIn(page, ACCOUNTS.moderator.username, ACCOUNTS.moderator.password);

    await expect(page).toHaveURL(/\/console\/queue$/);
    await expect(desks(page).getByRole('link', { name: '审核队列' })).toHaveAttribute('aria-current', 'page');
    await expect(desks(page).getByRole('link', { name: '收件箱' })).toHaveCount(0);
    await expect(page.getByRole('banner')).toContainText('mod1');
    await expect(page.getByRole('banner')).toContainText('审核员');
    expect((await storedSession(page))?.refresh_token).toMatch(/^rt_/);
    // The access token is kept in memory only.
    expect(JSON.stringify(await page.context().storageState({ indexedDB: true }))).not.toContain('eyJ');
  });

  test('a wrong password is said at the form, in Chinese', async ({ page }) => {
    await page.goto('/console/');
    await signIn(page, ACCOUNTS.moderator.username, 'not-the-password');

    await expect(page.getByRole('alert')).toHaveText('用户名或密码不正确。');
    const password = page.getByLabel('密码');
    await expect(password).toHaveValue('');
    await expect(password).toBeFocused();
    await expect(password).toHaveAttribute('aria-invalid', 'true');
    await expect(signInHeading(page)).toBeVisible();
  });

  test('too many failures say how long to wait (429 with Retry-After)', async ({ page, request }) => {
    // An account of its own: five failures lock it for 15 minutes.
    const admin = await request.post('/v1/auth/login', {
      data: { login: ACCOUNTS.admin.username, password: ACCOUNTS.admin.password },
    });
    const { access_token } = (await admin.json()) as { access_token: string };
    const throttled = { username: `mod-${Date.now().toString(36)}`, password: 'throttled-pass-e2e-1' };
    const created = await request.post('/v1/admin/users', {
      headers: { Authorization: `Bearer ${access_token}` },
      data: { ...throttled, role: 'moderator' },
    });
    expect(created.status()).toBe(201);

    await page.goto('/console/');
    const alert = page.getByRole('alert');
    for (let i = 0; i < 5; i++) {
      const answered = page.waitForResponse((r) => r.url().endsWith('/v1/auth/login'));
      await signIn(page, throttled.username, `wrong-${i}`);
      expect((await answered).status()).toBe(401);
      await expect(alert).toHaveText('用户名或密码不正确。');
    }
    const answered = page.waitForResponse((r) => r.url().endsWith('/v1/auth/login'));
    await signIn(page, throttled.username, throttled.password);
    const res = await answered;
    expect(res.status()).toBe(429);
    const minutes = Math.ceil(Number(res.headers()['retry-after']) / 60);
    await expect(alert).toHaveText(`登录失败次数过多，请在 ${minutes}分钟后再试。`);
  });

  test('a citizen is told the console is for staff, and kept signed out', async ({ page }) => {
    await page.goto('/console/');
    await signIn(page, ACCOUNTS.citizen.username, ACCOUNTS.citizen.password);

    await expect(page.getByRole('alert')).toContainText('此工作台仅供工作人员使用。');
    await expect(page.getByRole('link', { name: '打开举报应用' })).toHaveAttribute('href', '/');
    expect(await storedSession(page)).toBeNull();
    await page.reload();
    await expect(signInHeading(page)).toBeVisible();
  });
});

test.describe('language', () => {
  test('English is one click away and remembered across a reload', async ({ page }) => {
    await page.goto('/console/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await page.getByRole('button', { name: 'English' }).click();

    await expect(signInHeading(page)).toHaveText('Sign in to the console');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page).toHaveTitle('tipline console');
    await page.reload();
    await expect(signInHeading(page)).toHaveText('Sign in to the console');
    await expect(page.getByLabel('Username')).toBeVisible();

    // And errors follow the language.
    await signIn(page, ACCOUNTS.moderator.username, 'not-the-password');
    await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

    await page.getByRole('button', { name: '中文' }).click();
    await expect(signInHeading(page)).toHaveText('登录工作台');
  });
});

test.describe('a session', () => {
  test.use({ role: 'moderator' });

  test('survives a reload, on the page it was on', async ({ page }) => {
    await page.goto('/console/leads');
    await expect(desks(page).getByRole('link', { name: '线索' })).toHaveAttribute('aria-current', 'page');
    await page.reload();
    await expect(desks(page).getByRole('link', { name: '线索' })).toHaveAttribute('aria-current', 'page');
    await expect(page).toHaveURL(/\/console\/leads$/);
    await expect(signInHeading(page)).toHaveCount(0);
  });

  test('two tabs renew their 5-second tokens for a while without ever spending one refresh token twice', async ({
    context,
    page,
  }) => {
    const spent: string[] = [];
    const answers: number[] = [];
    const watch = (p: Page) =>
      p.on('response', (r: Response) => {
        if (!r.url().endsWith('/v1/auth/refresh')) return;
        spent.push((r.request().postDataJSON() as { refresh_token: string }).refresh_token);
        answers.push(r.status());
      });
    watch(page);
    await page.goto('/console/queue');
    const second = await context.newPage();
    watch(second);
    await second.goto('/console/leads');
    await expect(desks(second).getByRole('link', { name: '线索' })).toHaveAttribute('aria-current', 'page');

    // Access tokens live 5 s and are renewed a second before they expire,
    // by whichever tab's timer wins the lock: about one renewal each 4 s.
    await expect.poll(() => answers.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(5);

    expect(new Set(spent).size, `a refresh token was presented twice: ${spent.join(' ')}`).toBe(spent.length);
    expect(answers.every((s) => s === 200), `refresh answers: ${answers.join(', ')}`).toBe(true);
    // Both tabs still work, and so does the stored token (a reload spends
    // it). A reload while a renewal is in flight loses its answer and
    // presents the old token again, which the service takes as a retry for
    // a few seconds (README, accounts); reloading just after a renewal keeps
    // this test about the tabs' own single flight.
    await context.waitForEvent('response', (r) => r.url().endsWith('/v1/auth/refresh'));
    await Promise.all([page.reload(), second.reload()]);
    for (const p of [page, second]) await expect(desks(p)).toBeVisible();
    await expect(page).toHaveURL(/\/console\/queue$/);
  });

  test('that ends says so, and signing in again returns to the page', async ({ page, request }) => {
    await page.goto('/console/leads');
    await expect(desks(page)).toBeVisible();
    // Revoke the session behind the console's back; its next renewal fails.
    const stored = (await storedSession(page))!;
    expect((await request.post('/v1/auth/logout', { data: { refresh_token: stored.refresh_token } })).status()).toBe(204);

    await expect(page.getByRole('status')).toHaveText('您的登录已结束，请重新登录。登录后将回到刚才的页面。', {
      timeout: 15_000,
    });
    await expect(page).toHaveURL(/\/console\/leads$/);
    await signIn(page, ACCOUNTS.moderator.username, ACCOUNTS.moderator.password);
    await expect(desks(page).getByRole('link', { name: '线索' })).toHaveAttribute('aria-current', 'page');
    await expect(page).toHaveURL(/\/console\/leads$/);
  });

  test('signs out, in every tab', async ({ context, page }) => {
    await page.goto('/console/queue');
    const second = await context.newPage();
    await second.goto('/console/contacts');
    await expect(desks(second)).toBeVisible();

    await page.getByRole('button', { name: '退出登录' }).click();

    await expect(signInHeading(page)).toBeVisible();
    await expect(page).toHaveURL(/\/console\/$/);
    await expect(signInHeading(second)).toBeVisible();
    expect(await storedSession(page)).toBeNull();
    await page.reload();
    await expect(signInHeading(page)).toBeVisible();
  });

  test('? shows the shortcuts, drawn from the table', async ({ page }) => {
    await page.goto('/console/queue');
    await expect(desks(page)).toBeVisible();
    await page.keyboard.press('Shift+Slash');
    const dialog = page.getByRole('dialog', { name: '键盘快捷键' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('row', { name: /显示键盘快捷键/ })).toContainText('?');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });

  test('an address that is no desk of the role says so, with a way back', async ({ page }) => {
    await page.goto('/console/inbox');
    await expect(page.getByRole('heading', { name: '找不到此页面' })).toBeVisible();
    await page.getByRole('link', { name: '回到我的工作台' }).click();
    await expect(page).toHaveURL(/\/console\/queue$/);
  });
});

test.describe('desks by role', () => {
  test.describe('an officer', () => {
    test.use({ role: 'officer' });
    test('sees the inbox only', async ({ page }) => {
      await page.goto('/console/');
      await expect(page).toHaveURL(/\/console\/inbox$/);
      await expect(desks(page).getByRole('link')).toHaveText(['收件箱']);
      await expect(page.getByRole('banner')).toContainText('单位民警');
    });
  });

  test.describe('an admin', () => {
    test.use({ role: 'admin' });
    test('also sees Admin and Stats', async ({ page }) => {
      await page.goto('/console/stats');
      await expect(desks(page).getByRole('link')).toHaveText(['审核队列', '线索', '联系方式', '管理', '统计']);
      await expect(page.getByRole('heading', { name: '统计' })).toBeVisible();
    });
  });
});
