#!/usr/bin/env node
// A benchmark, not a test (CI does not run it): the moderator's desk in
// Debian's Chromium against a running tipline, or against a fresh one it
// starts and seeds. It prints each figure beside its goal:
//
//   - the queue's first page on screen after navigation: from the click on
//     "审核队列" (coming from the leads desk) to the first page's rows drawn,
//     median and worst of RUNS; and a cold load of /console/queue (a new
//     page: scripts, session renewal, the first page);
//   - a tip opening: from pressing J to the next tip's heading and facts
//     drawn (GET /v1/moderation/tips/{id} included), median and p90 of 20;
//   - scrolling 200 queue rows at 24 px a frame (the pages after the first
//     load as the list scrolls): frames sampled with requestAnimationFrame,
//     counted over 16.7 ms (with 1 ms of timer jitter allowed) and over
//     50 ms, and long animation frames (PerformanceObserver, > 50 ms);
//   - the console's initial JavaScript, gzipped (-9), as its page loads it.
//
// Against a running service (PostgreSQL with a million tips, say):
//
//   cd web && node scripts/bench-desk.mjs --base http://127.0.0.1:8080 --user mod1 --password '…'
//
// Against the embedded default (starts TIPLINE_BIN on a fresh, migrated data
// directory seeded with --tips, makes the moderator, serves web/dist):
//
//   cd web && npm run build && node scripts/bench-desk.mjs --serve /work/bin/tipline-dev --tips 5000
//
// Options: --tab TAB (the queue tab to scroll; default: the waiting tips, or
// the largest tab when fewer than 250 wait), --runs N (default 5),
// CHROMIUM_PATH (default /usr/bin/chromium).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const GOALS = { firstPageMs: 300, tipMs: 200, droppedFrames: 0, initialJs: 100 * 1024 };

function args() {
  const a = process.argv.slice(2);
  const out = {};
  for (let i = 0; i < a.length; i++) {
    const k = a[i];
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${k}`);
    out[k.slice(2)] = a[i + 1];
    i++;
  }
  return out;
}

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function serve(bin, tips) {
  const dir = mkdtempSync(join(tmpdir(), 'tipline-bench-desk-'));
  const env = { ...process.env, TIPLINE_LOG_LEVEL: 'warn' };
  const run = (argv, input) => {
    const r = spawnSync(bin, ['--data-dir', dir, ...argv], { env, input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  run(['migrate']);
  console.log(`seeding ${tips} tips…`);
  run(['seed', '--tips', String(tips)]);
  const user = 'bench-mod';
  const password = 'bench-moderator-pass-1';
  run(['admin', 'create-user', '--username', user, '--role', 'moderator', '--password-stdin'], password);
  const port = await freePort();
  const child = spawn(bin, ['--data-dir', dir, 'serve', '--bind', `127.0.0.1:${port}`], { env, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    user,
    password,
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function initialJs(base) {
  const html = await (await fetch(`${base}/console/`)).text();
  const pick = (re) => [...html.matchAll(re)].map((m) => m[1]);
  const files = [...new Set([...pick(/<script[^>]*\bsrc="([^"]+)"/g), ...pick(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)])];
  let gz = 0;
  for (const f of files) gz += gzipSync(Buffer.from(await (await fetch(new URL(f, base))).arrayBuffer()), { level: 9 }).length;
  return { gz, files: files.length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const ms = (n) => `${n.toFixed(0)} ms`;
const line = (name, value, goal, ok) => console.log(`  ${name.padEnd(44)} ${String(value).padEnd(26)} goal ${goal.padEnd(12)} ${ok ? 'ok' : 'MISSED'}`);


function scrollOnce(page) {
  return page.evaluate(async () => {
    const list = document.querySelector('.list-detail__list');
    const rowH = document.querySelector('.qrow').getBoundingClientRect().height;
    const target = 200 * rowH;
    const frames = [];
    let loaf = 0;
    let obs = null;
    try {
      obs = new PerformanceObserver((l) => (loaf += l.getEntries().length));
      obs.observe({ type: 'long-animation-frame', buffered: false });
    } catch {
      /* not supported */
    }
    let last = await new Promise((r) => requestAnimationFrame(r));
    const start = list.scrollTop;
    while (list.scrollTop - start < target) {
      list.scrollTop += 24;
      const t = await new Promise((r) => requestAnimationFrame(r));
      frames.push(t - last);
      last = t;
      if (frames.length > 3000) break;
    }
    obs?.disconnect();
    return {
      frames: frames.length,
      over16: frames.filter((f) => f > 17.7).length,
      over50: frames.filter((f) => f > 50).length,
      worst: Math.max(...frames),
      loaf,
      rows: document.querySelectorAll('.qrow').length,
      scrolledRows: Math.round((list.scrollTop - start) / rowH),
    };
  });
}

async function main() {
  const a = args();
  const runs = Number(a.runs ?? 5);
  let server = null;
  let base = a.base;
  let user = a.user;
  let password = a.password;
  if (a.serve) {
    server = await serve(a.serve, Number(a.tips ?? 5000));
    ({ base, user, password } = server);
  }
  if (!base || !user || !password) {
    console.error('usage: bench-desk.mjs --base URL --user NAME --password PASS  |  --serve BIN [--tips N]');
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    await page.getByLabel(/用户名|Username/).fill(user);
    await page.getByLabel(/密码|Password/).fill(password);
    await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
    await page.waitForURL(/\/console\/queue/);
    await page.locator('.qrow').first().waitFor();

    // Which tab to scroll: 200 rows need a tab that has them.
    const counts = await page.evaluate(async () => {
      const tabs = [...document.querySelectorAll('.queue-tabs a')];
      return tabs.map((t) => ({ href: t.getAttribute('href'), n: Number((t.querySelector('.queue-tabs__count')?.textContent ?? '0').replace(/\D/g, '')) }));
    });
    let tabHref = '/console/queue';
    if (a.tab) tabHref = `/console/queue?tab=${a.tab}`;
    else if ((counts[0]?.n ?? 0) < 250) tabHref = counts.slice(1).sort((x, y) => y.n - x.n)[0]?.href ?? tabHref;
    const tabRows = counts.find((c) => c.href === tabHref)?.n ?? counts[0]?.n ?? 0;

    // 1. The first page after navigation, within the app.
    const nav = [];
    for (let i = 0; i < runs; i++) {
      await page.goto(`${base}/console/leads`);
      await page.getByRole('heading', { name: /线索|Leads/, level: 1 }).waitFor();
      // The queue's chunk is loaded once per page, as a moderator's day goes.
      if (i === 0) await page.evaluate(() => import(document.querySelector('link[rel=modulepreload]')?.href ?? 'data:text/javascript,'));
      nav.push(
        await page.evaluate(async (href) => {
          const link = [...document.querySelectorAll('.topbar__nav a')].find((x) => x.getAttribute('href') === '/console/queue');
          history.replaceState(null, '', location.href);
          const t0 = performance.now();
          link.click();
          if (href !== '/console/queue') history.replaceState(null, '', href);
          for (;;) {
            await new Promise((r) => requestAnimationFrame(r));
            const rows = document.querySelectorAll('.qrow').length;
            if (rows >= 50 || (rows > 0 && !document.querySelector('.queue__more'))) return performance.now() - t0;
            if (performance.now() - t0 > 20_000) return Number.NaN;
          }
        }, '/console/queue'),
      );
    }

    // Cold: a new page for the queue (scripts, session renewal, first page).
    const cold = [];
    for (let i = 0; i < runs; i++) {
      await page.goto(`${base}/console/queue`);
      await page.locator('.qrow').nth(10).waitFor();
      cold.push(await page.evaluate(() => performance.now()));
    }

    // 2. A tip opening: J, then the next tip's heading and facts.
    await page.goto(`${base}${tabHref}`);
    await page.locator('.qrow').nth(30).waitFor();
    const tip = [];
    for (let i = 0; i < 20; i++) {
      tip.push(
        await page.evaluate(async () => {
          const t0 = performance.now();
          const before = document.querySelector('#tip-heading')?.textContent ?? '';
          document.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', code: 'KeyJ', bubbles: true }));
          for (;;) {
            await new Promise((r) => requestAnimationFrame(r));
            const h = document.querySelector('#tip-heading')?.textContent ?? '';
            if (h && h !== before && document.querySelector('.tip-facts')) return performance.now() - t0;
            if (performance.now() - t0 > 20_000) return Number.NaN;
          }
        }),
      );
    }

    // 3. Scrolling 200 rows from the top of a fresh list (pages load as it
    // goes): once to warm up (glyphs rasterised, images decoded once per
    // page, as in a moderator's day), then RUNS times, each figure kept.
    const scrolls = [];
    for (let i = 0; i <= runs; i++) {
      await page.goto(`${base}${tabHref}`);
      await page.locator('.qrow').nth(40).waitFor();
      await page.waitForTimeout(500);
      const r = await scrollOnce(page);
      if (i > 0) scrolls.push(r);
    }
    const worstRun = scrolls.reduce((w, r) => (r.over16 > w.over16 ? r : w), scrolls[0]);
    const scroll = { ...worstRun, all: scrolls.map((r) => r.over16).join(', '), all50: scrolls.map((r) => r.over50).join(', ') };

    const js = await initialJs(base);

    console.log(`\nmoderator's desk at ${base} (${tabHref}: ${tabRows} tips; ${runs} runs)\n`);
    line('queue first page, in-app navigation', `${ms(median(nav))} (worst ${ms(Math.max(...nav))})`, `≤ ${GOALS.firstPageMs} ms`, Math.max(...nav) <= GOALS.firstPageMs);
    line('queue first page, cold page load', `${ms(median(cold))} (worst ${ms(Math.max(...cold))})`, '(for reference)', true);
    line('a tip opening (J → drawn)', `${ms(median(tip))} (p90 ${ms(pct(tip, 0.9))})`, `≤ ${GOALS.tipMs} ms`, pct(tip, 0.9) <= GOALS.tipMs);
    line(`scrolling ${scroll.scrolledRows} rows: frames over 16.7 ms`, `${scroll.over16} of ${scroll.frames} (runs: ${scroll.all})`, `${GOALS.droppedFrames}`, scroll.over16 <= GOALS.droppedFrames);
    line('  frames over 50 ms', `${scroll.over50} (runs: ${scroll.all50}; worst ${ms(scroll.worst)})`, '0', scroll.over50 === 0);
    line('  long animation frames (PerformanceObserver)', String(scroll.loaf), '0', scroll.loaf === 0);
    line('  rows in the list after scrolling', String(scroll.rows), '', true);
    line('console initial JS (gzip -9)', `${(js.gz / 1024).toFixed(1)} KiB in ${js.files} files`, '≤ 100 KiB', js.gz <= GOALS.initialJs);
    console.log('');
  } finally {
    await browser.close();
    server?.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
