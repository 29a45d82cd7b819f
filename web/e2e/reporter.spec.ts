import { expect, test } from './fixtures';

test.describe('the reporter app', () => {
  test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  test('opens in Chinese at / and on any app address, English one tap away', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('举报小广告、诈骗、赌博和毒品信息');
    await expect(page).toHaveTitle('tipline 举报');

    await page.goto('/report/new');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('举报小广告、诈骗、赌博和毒品信息');

    const toEnglish = page.getByRole('button', { name: 'English' });
    // Within reach of a thumb: in the bottom third of the screen, 48 px tall.
    const box = (await toEnglish.boundingBox())!;
    expect(box.y).toBeGreaterThan(740 * (2 / 3));
    expect(box.height).toBeGreaterThanOrEqual(48);
    await toEnglish.tap();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Report illegal ads, fraud, gambling and drugs');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  });

  test('is installable: a manifest whose icons load', async ({ page, request }) => {
    await page.goto('/');
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const res = await request.get(href!);
    expect(res.headers()['content-type']).toContain('application/manifest+json');
    const manifest = (await res.json()) as { start_url: string; icons: Array<{ src: string; sizes: string }> };
    expect(manifest.start_url).toBe('/');
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) {
      const r = await request.get(icon.src);
      expect(r.status(), icon.src).toBe(200);
      expect(r.headers()['content-type']).toBe('image/png');
    }
  });
});

test('pages carry a charset and load only hashed, immutable assets', async ({ page, request }) => {
  for (const path of ['/', '/console/']) {
    const res = await request.get(path, { headers: { Accept: 'text/html' } });
    expect(res.headers()['content-type']).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toMatch(/<meta charset="utf-8"/i);
    expect(html).not.toMatch(/<style|style="|<script>(?!<\/script>)/);
    for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      expect(m[1]).toMatch(/-[A-Za-z0-9_-]{8}\.(js|css)$/);
      const asset = await request.get(m[1]!);
      expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  }
  await page.goto('/console/');
});
