#!/usr/bin/env node
// The README's screenshots (../docs/screenshots/*.png), taken in Debian's
// Chromium against a fresh tipline: starts TIPLINE_BIN (default
// ../target/release/tipline) on a new embedded data directory, makes an
// administrator, a moderator, a police station and a department with their
// areas and an officer through the CLI and the API, submits tips with a real
// photo through the API, verifies some of them into a lead and takes one
// lead through forward, accept and resolve, so that the statistics have
// something to show. Then it photographs, in English at 1280x800:
//
//   console-queue-tip.png   the queue with a tip open (moderator)
//   console-lead.png        a lead with its map and routing (administrator,
//                           who may see the units' outlines)
//   console-unit.png        the unit editor: a pasted jurisdiction's outline
//                           over the saved one, before saving
//   console-stats.png       the statistics page
//   console-inbox.png       the station officer's inbox, a lead just arrived
//                           and opened (--no-inbox leaves it out)
//
// and the reporter's app at 360x740 (reporter-360.png, in zh-CN, as a
// citizen first sees it).
//
//   cd web && node scripts/readme-screens.mjs [--lang en|zh-CN] [--out ../docs/screenshots]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(`--${k}`) ? argv[argv.indexOf(`--${k}`) + 1] : d);
const LANG = opt('lang', 'en');
const OUT = resolve(web, opt('out', '../docs/screenshots'));
const BIN = resolve(web, process.env.TIPLINE_BIN ?? '../target/release/tipline');
// The photo every tip carries: a made-up card, drawn by Chromium (see card()).
let CARD = null;

const ADMIN = { username: 'chen.admin', password: 'readme-admin-pass-1' };
const MOD = { username: 'li.moderator', password: 'readme-moderator-pass-1' };
const OFFICER = { username: 'zhang.wei', password: 'readme-officer-pass-1' };
const OFFICER2 = { username: 'wang.fang', password: 'readme-officer-pass-2' };

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

class Api {
  constructor(base, who) {
    this.base = base;
    this.who = who;
    this.token = '';
  }
  async signIn() {
    const r =
      this.who === 'anonymous'
        ? await fetch(`${this.base}/v1/auth/anonymous`, { method: 'POST' })
        : await fetch(`${this.base}/v1/auth/login`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ login: this.who.username, password: this.who.password }),
          });
    if (!r.ok) throw new Error(`sign-in: ${r.status} ${await r.text()}`);
    this.token = (await r.json()).access_token;
  }
  async call(method, path, body, extra = {}) {
    if (!this.token) await this.signIn();
    const headers = { Authorization: `Bearer ${this.token}`, ...(extra.headers ?? {}) };
    let payload;
    if (extra.form) payload = extra.form;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const r = await fetch(this.base + path, { method, headers, body: payload });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}

async function submitTip(base, t) {
  const reporter = new Api(base, 'anonymous');
  const form = new FormData();
  form.append('file', new Blob([CARD], { type: 'image/jpeg' }), 'card.jpg');
  const media = await reporter.call('POST', '/v1/media', undefined, { form });
  const { tip } = await reporter.call('POST', '/v1/tips', {
    category: t.category ?? 'illicit_card_ads',
    description: t.description,
    location: { lat: t.lat, lon: t.lon, accuracy_m: 12 },
    ...(t.address ? { address: t.address } : {}),
    ...(t.phone ? { contacts: [{ kind: 'phone', value: t.phone }] } : {}),
    media_ids: [media.id],
  });
  return tip;
}

function square(lon, lat, half) {
  return [
    [
      [lon - half, lat - half],
      [lon + half, lat - half],
      [lon + half, lat + half],
      [lon - half, lat + half],
      [lon - half, lat - half],
    ],
  ];
}

/** A small ad card as a phone photographs it, as a JPEG. */
async function card(browser) {
  const page = await browser.newPage({ viewport: { width: 640, height: 480 } });
  await page.setContent(`<body style="margin:0;background:linear-gradient(160deg,#6f7b85,#3d464d)">
    <div style="position:absolute;left:120px;top:70px;width:380px;height:300px;transform:rotate(-6deg);
      background:#fff3f5;border-radius:6px;box-shadow:0 12px 30px rgba(0,0,0,.45);
      font-family:'Noto Sans CJK SC',sans-serif;text-align:center;padding-top:26px;box-sizing:border-box">
      <div style="font-size:44px;font-weight:700;color:#c2185b">高端私人会所</div>
      <div style="font-size:24px;color:#555;margin-top:6px">24 小时 · 上门服务</div>
      <div style="font-size:40px;font-weight:700;color:#222;margin-top:24px;letter-spacing:1px">138 5791 2345</div>
      <div style="margin:18px auto 0;width:80px;height:80px;background:
        repeating-linear-gradient(90deg,#222 0 8px,#fff 8px 14px),#222;opacity:.85"></div>
    </div></body>`);
  const jpeg = await page.screenshot({ type: 'jpeg', quality: 85 });
  await page.close();
  return jpeg;
}

async function prepare(base) {
  const admin = new Api(base, ADMIN);
  const mod = new Api(base, MOD);
  // Yiwu: a station's district (two areas) and a department taking gambling.
  const station = await admin.call('POST', '/v1/admin/units', {
    name_zh: '稠城派出所',
    name_en: 'Choucheng Police Station',
    kind: 'police_station',
    categories: ['illicit_card_ads', 'drugs'],
    accept_hours: 12,
    resolve_hours: 72,
    jurisdiction: {
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [120.05, 29.29],
            [120.1, 29.285],
            [120.108, 29.31],
            [120.095, 29.335],
            [120.06, 29.33],
            [120.05, 29.29],
          ],
        ],
        [
          [
            [120.12, 29.29],
            [120.15, 29.29],
            [120.14, 29.315],
            [120.12, 29.29],
          ],
        ],
      ],
    },
    webhook: { url: 'https://hooks.example.cn/tipline', secret: 'readme-webhook-secret-1' },
  });
  const neighbour = await admin.call('POST', '/v1/admin/units', {
    name_zh: '北苑派出所',
    name_en: 'Beiyuan Police Station',
    kind: 'police_station',
    categories: ['illicit_card_ads'],
    jurisdiction: { type: 'Polygon', coordinates: square(120.075, 29.345, 0.02) },
  });
  const dept = await admin.call('POST', '/v1/admin/units', {
    name_zh: '市文化市场综合执法队',
    name_en: 'Culture Market Enforcement Team',
    kind: 'department',
    categories: ['gambling'],
    jurisdiction: { type: 'Polygon', coordinates: square(120.08, 29.31, 0.06) },
  });
  await admin.call('POST', '/v1/admin/users', { ...OFFICER, role: 'unit_officer', unit_id: station.id });
  await admin.call('POST', '/v1/admin/users', { ...OFFICER2, role: 'unit_officer', unit_id: dept.id });
  void neighbour;

  // A number that recurs on cards: three tips verified into one lead, more waiting.
  const phone = '13857912345';
  const places = [
    [29.3062, 120.0751, '稠州北路 88 号附近'],
    [29.3081, 120.0782, '宾王路公交站'],
    [29.3035, 120.0716, '工人西路小区门口'],
  ];
  const inLead = [];
  for (const [lat, lon, address] of places) {
    inLead.push(await submitTip(base, { lat, lon, phone, address, description: '车窗上夹着的小卡片，印有电话号码和二维码' }));
  }
  let leadId = '';
  for (const t of inLead) {
    const { version } = await mod.call('POST', `/v1/moderation/tips/${t.id}/claim`);
    const v = await mod.call('POST', `/v1/moderation/tips/${t.id}/verify`, { version, ...(leadId ? { lead_id: leadId } : {}) });
    leadId = v.lead_id;
  }
  // A second lead, taken through the whole loop for the statistics.
  const done = await submitTip(base, { lat: 29.31, lon: 120.08, phone: '13957900001', description: '小区信箱里塞满卡片' });
  let c = await mod.call('POST', `/v1/moderation/tips/${done.id}/claim`);
  const doneLead = (await mod.call('POST', `/v1/moderation/tips/${done.id}/verify`, { version: c.version })).lead_id;
  let lead = await mod.call('GET', `/v1/leads/${doneLead}`);
  await mod.call('POST', `/v1/leads/${doneLead}/forward`, { version: lead.version, unit_id: station.id });
  const officer = new Api(base, OFFICER);
  let seen = await officer.call('GET', `/v1/unit/leads/${doneLead}`);
  const acc = await officer.call('POST', `/v1/unit/leads/${doneLead}/accept`, { version: seen.version });
  await officer.call('POST', `/v1/unit/leads/${doneLead}/resolve`, {
    version: acc.version,
    outcome: 'number_suspended',
    public_note: '该号码已停机，附近卡片已清理。',
  });
  // A gambling lead diverted to the department.
  const g = await submitTip(base, { lat: 29.315, lon: 120.09, category: 'gambling', description: '棋牌室门口发的赌博网站传单' });
  c = await mod.call('POST', `/v1/moderation/tips/${g.id}/claim`);
  const gLead = (await mod.call('POST', `/v1/moderation/tips/${g.id}/verify`, { version: c.version })).lead_id;
  lead = await mod.call('GET', `/v1/leads/${gLead}`);
  await mod.call('POST', `/v1/leads/${gLead}/forward`, { version: lead.version, unit_id: dept.id });
  // A rejected one.
  const junk = await submitTip(base, { lat: 29.32, lon: 120.06, category: 'other', description: '测试' });
  c = await mod.call('POST', `/v1/moderation/tips/${junk.id}/claim`);
  const reasons = await mod.call('GET', '/v1/moderation/reject-reasons');
  const reason = (Array.isArray(reasons) ? reasons : reasons.items ?? reasons.reasons)[0].code;
  await mod.call('POST', `/v1/moderation/tips/${junk.id}/reject`, { version: c.version, reason });

  // The waiting queue: the same number again, and others.
  const waiting = [
    { lat: 29.3066, lon: 120.0761, phone, address: '义乌市稠城街道工人北路', description: '停车场多辆车上发现同一号码的小卡片' },
    { lat: 29.2981, lon: 120.0655, phone: '15067112233', address: '江滨北路 12 号', description: '酒店门缝里塞的卡片' },
    { lat: 29.3127, lon: 120.0903, category: 'fraud', address: '福田市场东门', description: '“刷单返利”的传单，上面有二维码' },
    { lat: 29.3212, lon: 120.0833, phone: '18868905566', address: '宗泽路与城中路口', description: '电线杆上贴满小广告' },
    { lat: 29.3018, lon: 120.0702, phone, address: '稠州中路 201 号', description: 'Cards under the wipers of parked cars, same number' },
    { lat: 29.3055, lon: 120.0811, category: 'drugs', address: '绣湖公园北门', description: '有人在长椅附近兜售可疑药品' },
    { lat: 29.2953, lon: 120.0774, phone: '13705791234', address: '篁园服装市场二楼', description: '楼梯间地上散落的卡片' },
    { lat: 29.3161, lon: 120.0725, category: 'gambling', address: '宾王商贸区', description: '微信群里推广的赌博网站' },
    { lat: 29.3073, lon: 120.0745, phone, address: '稠州北路 90 号', description: '又发现一批同样号码的卡片' },
  ];
  let open = null;
  for (const w of waiting) {
    const t = await submitTip(base, w);
    if (w.phone === phone && !open) open = t;
  }
  // One claimed by the moderator, so a row shows who holds it.
  await mod.call('POST', `/v1/moderation/tips/${open.id}/claim`);
  // A lead for the station, forwarded while its officer watches the inbox.
  const next = [];
  for (const [lat, lon, address] of [
    [29.2994, 120.0688, '江滨北路 30 号'],
    [29.3002, 120.0701, '江滨北路 36 号'],
  ]) {
    next.push(await submitTip(base, { lat, lon, phone: '15067112299', address, description: '夜里有人在路边车上塞卡片，号码相同' }));
  }
  let nextLead = '';
  for (const t of next) {
    const { version } = await mod.call('POST', `/v1/moderation/tips/${t.id}/claim`);
    nextLead = (await mod.call('POST', `/v1/moderation/tips/${t.id}/verify`, { version, ...(nextLead ? { lead_id: nextLead } : {}) })).lead_id;
  }
  const forwardLater = async () => {
    const l = await mod.call('GET', `/v1/leads/${nextLead}`);
    await mod.call('POST', `/v1/leads/${nextLead}/forward`, { version: l.version, unit_id: station.id, note: '同一号码近一周多次出现，请核查。' });
    return l.reference;
  };
  return { openTip: open, leadId, unitId: station.id, forwardLater };
}

async function signedIn(browser, base, who, viewport) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1 });
  await context.addInitScript((l) => localStorage.setItem('tipline.lang', l), LANG);
  const page = await context.newPage();
  await page.goto(`${base}/console/`);
  await page.getByLabel(/用户名|Username/).fill(who.username);
  await page.getByLabel(/密码|Password/).fill(who.password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.locator('.topbar').waitFor();
  return { context, page };
}

async function shot(page, name) {
  await page.waitForTimeout(400);
  const path = join(OUT, name);
  await page.screenshot({ path });
  console.log(`  ${name}  ${(statSync(path).size / 1024).toFixed(0)} KiB`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'tipline-readme-'));
  const env = { ...process.env, TIPLINE_LOG_LEVEL: 'warn' };
  delete env.TIPLINE_BIN;
  for (const [who, role] of [
    [ADMIN, 'admin'],
    [MOD, 'moderator'],
  ]) {
    const r = spawnSync(BIN, ['--data-dir', dir, 'admin', 'create-user', '--username', who.username, '--role', role, '--password-stdin'], {
      env,
      input: who.password,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`create-user: ${r.stderr}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(BIN, ['--data-dir', dir, 'serve', '--bind', `127.0.0.1:${port}`], { env, stdio: 'ignore' });
  let browser;
  try {
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${base}/readyz`)).ok) break;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    CARD = await card(browser);
    const s = await prepare(base);
    const desk = { width: 1280, height: 800 };

    const m = await signedIn(browser, base, MOD, desk);
    await m.page.goto(`${base}/console/queue?tip=${s.openTip.id}`);
    await m.page.getByRole('heading', { name: s.openTip.reference }).waitFor();
    await m.page.locator('.leaflet-control-scale-line').first().waitFor();
    await m.page.locator('.tip-pane img').first().waitFor();
    await shot(m.page, 'console-queue-tip.png');
    await m.context.close();

    const a = await signedIn(browser, base, ADMIN, desk);
    await a.page.goto(`${base}/console/leads?lead=${s.leadId}`);
    await a.page.locator('.leaflet-control-scale-line').first().waitFor();
    await a.page.locator('.cmap__outline').first().waitFor({ state: 'attached' });
    await shot(a.page, 'console-lead.png');
    await a.page.goto(`${base}/console/admin/units/${s.unitId}`);
    await a.page.locator('path.cmap__outline--chosen').first().waitFor({ state: 'attached' });
    // A new outline pasted as a GIS tool writes it (a Feature), shown over
    // the saved one (dashed) before saving: the editor's lower half.
    await a.page.getByLabel(/GeoJSON 文本|GeoJSON text/).fill(
      JSON.stringify({
        type: 'Feature',
        properties: { name: '稠城街道' },
        geometry: {
          type: 'Polygon',
          coordinates: [[[120.045, 29.285], [120.1, 29.28], [120.115, 29.31], [120.1, 29.34], [120.055, 29.335], [120.045, 29.285]]],
        },
      }),
    );
    await a.page.getByText(/新辖区（尚未保存）|New jurisdiction \(not saved yet\)/).first().waitFor();
    await a.page.getByRole('group', { name: /受理的举报类别|Categories it takes/ }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot(a.page, 'console-unit.png');
    await a.page.goto(`${base}/console/stats`);
    await a.page.getByRole('figure', { name: /各单位按时率|Units' on-time rate/ }).waitFor();
    await shot(a.page, 'console-stats.png');
    await a.context.close();

    if (!argv.includes('--no-inbox')) {
      const o = await signedIn(browser, base, OFFICER, desk);
      await o.page.locator('.topbar').waitFor();
      await o.page.waitForTimeout(1500);
      const ref = await s.forwardLater();
      await o.page.getByRole('link', { name: new RegExp(`(打开|Open) ${ref}`) }).click();
      await o.page.getByRole('heading', { name: ref }).first().waitFor();
      await o.page.locator('.leaflet-control-scale-line').first().waitFor();
      await shot(o.page, 'console-inbox.png');
      await o.context.close();
    }

    const phoneCtx = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      geolocation: { latitude: 29.30612, longitude: 120.07528, accuracy: 12 },
      permissions: ['geolocation'],
    });
    const p = await phoneCtx.newPage();
    await p.goto(`${base}/`);
    await p.getByRole('heading', { level: 1 }).waitFor();
    await shot(p, 'reporter-360.png');
    await phoneCtx.close();
  } finally {
    await browser?.close();
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
