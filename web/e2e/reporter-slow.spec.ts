// Acceptance 5: a 4 MB photo over an emulated slow mobile network (CDP
// Network.emulateNetworkConditions: 1.5 Mbit/s each way, 300 ms latency)
// shows its progress and completes, and the page stays responsive while it
// goes up (typing into the description works). The timing itself is the
// benchmark's business (scripts/bench-reporter.ts), not this test's.
import { writeFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { PHONE, noisePng } from './reporter-api';

test.use(PHONE);

test('a 4 MB photo over a slow network shows its progress, completes, and the page stays usable', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const file = testInfo.outputPath('photo-4mb.png');
  const photo = noisePng(4_000_000);
  writeFileSync(file, photo);
  expect(photo.length).toBeGreaterThan(4_000_000);

  await page.goto('/');
  await expect(page.getByText('已获取您的位置，精度约 12 米。')).toBeVisible();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 300,
    downloadThroughput: 1_500_000 / 8,
    uploadThroughput: 1_500_000 / 8,
  });

  await page.getByLabel('拍照或选择照片').setInputFiles([file]);
  const progress = page.getByRole('progressbar', { name: '第 1 张照片上传进度' });
  await expect(progress).toBeVisible();

  // While it goes up: the page answers typing at once.
  const description = page.getByLabel('描述（可选）');
  const text = '发现于公交站台，共十几张';
  await description.pressSequentially(text);
  await expect(description).toHaveValue(text);
  await expect(progress).toBeVisible();

  // Progress moves: seen part-way, then the tick.
  await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 60_000 }).toBeGreaterThan(30);
  await expect(page.getByRole('list', { name: '已选的照片' }).getByText('已上传')).toBeVisible({ timeout: 90_000 });
  await expect(description).toHaveValue(text);
});
