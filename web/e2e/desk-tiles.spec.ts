// With a tile service configured (`TIPLINE_MAP_TILE_URL`, datum gcj02), the
// console's map draws its tiles, under its attribution, from that origin
// (which the page's CSP then allows). A tipline of this test's own serves
// it, since the shared one runs without tiles; a local server draws tiles.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, signIn, test } from './fixtures';
import { FIXTURES } from './reporter-api';

const bin = resolve(process.env.TIPLINE_BIN ?? '../target/debug/tipline');
const tile = readFileSync(FIXTURES.png);

function listen(server: Server): Promise<number> {
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port)));
}

async function freePort(): Promise<number> {
  const s = createServer();
  const p = await listen(s);
  await new Promise((r) => s.close(r));
  return p;
}

let tiles: Server;
let tilesRequested = 0;
let tipline: ChildProcess;
let dataDir: string;
let base: string;
const mod = { username: 'tiles-mod', password: 'tiles-moderator-pass-1' };

test.beforeAll(async () => {
  tiles = createServer((req, res) => {
    tilesRequested++;
    res.writeHead(200, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' });
    res.end(tile);
  });
  const tilePort = await listen(tiles);
  dataDir = mkdtempSync(join(tmpdir(), 'tipline-e2e-tiles-'));
  const env = { ...process.env, TIPLINE_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
  delete env.TIPLINE_BIN;
  const made = spawnSync(bin, ['--data-dir', dataDir, 'admin', 'create-user', '--username', mod.username, '--role', 'moderator', '--password-stdin'], {
    input: mod.password,
    env,
    encoding: 'utf8',
  });
  expect(made.status, made.stderr).toBe(0);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  tipline = spawn(bin, ['--data-dir', dataDir, 'serve', '--bind', `127.0.0.1:${port}`], {
    env: {
      ...env,
      TIPLINE_MAP_TILE_URL: `http://127.0.0.1:${tilePort}/{z}/{x}/{y}.png`,
      TIPLINE_MAP_TILE_DATUM: 'gcj02',
      TIPLINE_MAP_TILE_ATTRIBUTION: '© 测试图源',
    },
    stdio: 'ignore',
  });
  await expect
    .poll(async () => {
      try {
        return (await fetch(`${base}/readyz`)).status;
      } catch {
        return 0;
      }
    }, { timeout: 30_000 })
    .toBe(200);
});

test.afterAll(async () => {
  tipline?.kill('SIGTERM');
  await new Promise((r) => tiles?.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

test('a tip’s map draws the configured tiles with their attribution', async ({ page, playwright }) => {
  const config = (await (await fetch(`${base}/v1/client-config`)).json()) as { map: { tile_url?: string; tile_datum: string } };
  expect(config.map.tile_datum).toBe('gcj02');

  // A tip on that service, through its API.
  const api = await playwright.request.newContext({ baseURL: base });
  const anon = (await (await api.post('/v1/auth/anonymous')).json()) as { access_token: string };
  const auth = { Authorization: `Bearer ${anon.access_token}` };
  const media = (await (
    await api.post('/v1/media', { headers: auth, multipart: { file: { name: 'card.jpg', mimeType: 'image/jpeg', buffer: readFileSync(FIXTURES.jpeg) } } })
  ).json()) as { id: string };
  const made = await api.post('/v1/tips', {
    headers: auth,
    data: { category: 'illicit_card_ads', location: { lat: 29.30612, lon: 120.07528 }, media_ids: [media.id] },
  });
  expect(made.status()).toBe(201);
  const { tip } = (await made.json()) as { tip: { id: string; reference: string } };
  await api.dispose();

  await page.goto(`${base}/console/`);
  await signIn(page, mod.username, mod.password);
  await expect(page).toHaveURL(/\/console\/queue$/);
  await page.goto(`${base}/console/queue?tip=${tip.id}`);
  await expect(page.getByRole('heading', { name: tip.reference })).toBeVisible();
  const map = page.getByRole('region', { name: `${tip.reference} 的位置` });
  await expect(map.locator('img.leaflet-tile-loaded').first()).toBeVisible();
  await expect(map.locator('.leaflet-control-attribution')).toContainText('© 测试图源');
  expect(tilesRequested).toBeGreaterThan(0);
});
