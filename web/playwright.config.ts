// Browser tests against the real binary serving the built bundle (web/dist):
// e2e/global-setup.ts starts `TIPLINE_BIN` on a fresh data directory and a
// free port and makes the accounts; the `setup` project signs in once per
// role through the page; the tests then run in Debian's Chromium (no
// browser download).
import { execFileSync } from 'node:child_process';
import { defineConfig } from '@playwright/test';

// Chosen once in the runner; the workers inherit it through the environment.
if (!process.env.E2E_TIPLINE_PORT) {
  process.env.E2E_TIPLINE_PORT = execFileSync(process.execPath, [
    '-e',
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})",
  ]).toString();
}
const baseURL = `http://127.0.0.1:${process.env.E2E_TIPLINE_PORT}`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Two cores: one worker per core; the binary has the rest.
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL,
    locale: 'zh-CN',
    // Not the service's zone, so a time shown in UTC+8 is shown on purpose.
    timezoneId: 'Europe/London',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // The machine's network is closed: keep Chromium from calling home.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'setup', testMatch: /.*\.setup\.ts/ },
    { name: 'chromium', testIgnore: /.*\.setup\.ts/, dependencies: ['setup'] },
  ],
});
