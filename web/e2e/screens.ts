// Pictures of the console for a person to look at (e2e/screenshots/*.png,
// not committed), shared by the *-screens specs.
import type { Page } from '@playwright/test';

const dir = 'e2e/screenshots';

/**
 * The desks scroll inside their columns, which a full-page screenshot does
 * not follow: make the window as tall as the tallest column, then shoot.
 */
export async function shoot(page: Page, name: string) {
  const size = page.viewportSize()!;
  const tallest = await page.evaluate(() => {
    let h = document.documentElement.scrollHeight;
    for (const el of document.querySelectorAll<HTMLElement>('*')) {
      const y = getComputedStyle(el).overflowY;
      if ((y === 'auto' || y === 'scroll') && el.scrollHeight > el.clientHeight) {
        h = Math.max(h, el.scrollHeight + el.getBoundingClientRect().top);
      }
    }
    return Math.ceil(h);
  });
  await page.setViewportSize({ width: size.width, height: Math.min(Math.max(size.height, tallest), 6000) });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
  await page.setViewportSize(size);
}
