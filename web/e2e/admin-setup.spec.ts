// Acceptance 1 (issue 14): an administrator sets up a police station from
// an uploaded GeoJSON file and a department for a non-police category, with
// an officer each, all through the console; a self-crossing outline is
// refused and the service's message is shown at its position on the map;
// after a lead is forwarded to the station and resolved there (driven
// through the API), the statistics show it — resolved, the stage times, the
// diversion share — and the CSV downloads with its row.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { acceptAndResolve, forward, squareFeature, verifiedLead } from './admin-api';
import { formatSpan, type SpanKey } from '../src/console/stats/span';

const here = dirname(fileURLToPath(import.meta.url));
const zh = JSON.parse(readFileSync(join(here, '../src/console/i18n/zh-CN.json'), 'utf8')) as Record<string, string>;
const fill = (s: string, p: Record<string, number | string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(p[k]));
const span = (secs: number | undefined) => (secs === undefined ? '—' : formatSpan(secs, (k: SpanKey, p) => fill(zh[k]!, p)));
const pct = (x: number) => new Intl.NumberFormat('zh-CN', { style: 'percent', maximumFractionDigits: 1 }).format(x);

test.use({ role: 'admin' });

// Where the test's tips are: Yiwu, around the station's square.
const STATION = { lon: 120.075, lat: 29.306 };

async function newUnit(page: Page, names: { zh: string; en: string }, kind: string) {
  await page.goto('/console/admin/units/new');
  const form = page.getByRole('form', { name: '新建单位' });
  await form.getByLabel('中文名称').fill(names.zh);
  await form.getByLabel('英文名称').fill(names.en);
  await form.getByLabel('单位类型').selectOption({ label: kind });
  return form;
}

test('an administrator sets up a station and a department with officers, and reads the figures', async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  const suffix = Date.now().toString(36);
  const station = { zh: `稠州派出所${suffix}`, en: `Chouzhou Police Station ${suffix}` };
  const department = { zh: `市场监督管理局${suffix}`, en: `Market Supervision ${suffix}` };
  const category = { code: `fake_goods_${suffix}`, zh: `假冒伪劣${suffix}`, en: `Counterfeit goods ${suffix}` };

  // A non-police category, through the console.
  await page.goto('/console/admin/categories/_new');
  const catForm = page.getByRole('form', { name: '新建类别' });
  await catForm.getByLabel('代码').fill(category.code);
  await catForm.getByLabel('中文名称').fill(category.zh);
  await catForm.getByLabel('英文名称').fill(category.en);
  await catForm.getByRole('button', { name: '创建' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已保存' })).toBeVisible();
  await expect(page.getByRole('list', { name: '举报类别' }).getByRole('link', { name: new RegExp(category.zh) })).toBeVisible();

  // The station: first a self-crossing outline (a bow tie), refused by the
  // service, which names the ring and its crossing edges.
  let form = await newUnit(page, station, '派出所');
  await form.getByRole('checkbox', { name: '涉黄小卡片' }).check();
  const { lon, lat } = STATION;
  const bowTie = {
    type: 'Polygon',
    coordinates: [
      [
        [lon - 0.02, lat - 0.02],
        [lon + 0.02, lat + 0.02],
        [lon + 0.02, lat - 0.02],
        [lon - 0.02, lat + 0.02],
        [lon - 0.02, lat - 0.02],
      ],
    ],
  };
  await form.getByLabel('GeoJSON 文本').fill(JSON.stringify(bowTie));
  await expect(form.getByRole('region', { name: '辖区预览：1 个区域，共 4 个点' })).toBeVisible();
  const refused = page.waitForResponse((r) => r.url().endsWith('/v1/admin/units') && r.request().method() === 'POST');
  await form.getByRole('button', { name: '创建单位' }).click();
  const answer = await refused;
  expect(answer.status()).toBe(422);
  expect(((await answer.json()) as { message: string }).message).toBe('coordinates[0]: the ring crosses itself (edges 0 and 2)');

  const geojson = form.getByLabel('GeoJSON 文本');
  await expect(geojson).toHaveAttribute('aria-invalid', 'true');
  await expect(geojson).toHaveAccessibleDescription(/coordinates\[0\]：边界自相交（第 0 条边与第 2 条边交叉）。请检查这里各点的顺序。/);
  await expect(form.getByText('coordinates[0]：边界自相交（第 0 条边与第 2 条边交叉）。请检查这里各点的顺序。')).toBeVisible();
  const map = form.getByRole('region', { name: '辖区预览：1 个区域，共 4 个点' });
  const marker = map.getByRole('button', { name: '问题在此：coordinates[0]，第 0 与第 2 条边' });
  await expect(marker).toBeVisible();
  // Where edges 0 and 2 cross: the middle of the bow tie, which the map
  // centres (it fits the outline).
  const [m, box] = [(await marker.boundingBox())!, (await map.boundingBox())!];
  expect(Math.abs(m.x + m.width / 2 - (box.x + box.width / 2))).toBeLessThan(3);
  expect(Math.abs(m.y + m.height / 2 - (box.y + box.height / 2))).toBeLessThan(3);
  await expect(geojson).toBeFocused();
  // Nothing typed was lost.
  await expect(form.getByLabel('中文名称')).toHaveValue(station.zh);
  await expect(form.getByRole('checkbox', { name: '涉黄小卡片' })).toBeChecked();

  // Then the file from the GIS tool: a Feature around the test's points.
  const file = testInfo.outputPath('station.geojson');
  writeFileSync(file, JSON.stringify(squareFeature(lon, lat, 0.03, station.en)));
  await form.getByLabel('上传 GeoJSON 文件').setInputFiles(file);
  await expect(form.getByText('读自文件 station.geojson')).toBeVisible();
  await expect(marker).toHaveCount(0);
  await expect(geojson).not.toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('region', { name: '辖区预览：1 个区域，共 4 个点' })).toBeVisible();
  await expect(form.getByText('新辖区（尚未保存）：1 个区域，共 4 个点')).toBeVisible();
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/admin/units') && r.request().method() === 'POST');
  await form.getByRole('button', { name: '创建单位' }).click();
  const stationRes = await created;
  expect(stationRes.status()).toBe(201);
  const stationUnit = (await stationRes.json()) as { id: string; jurisdiction: { type: string } };
  // Sent as the geometry the API takes, not the Feature.
  expect(stationUnit.jurisdiction.type).toBe('Polygon');
  await expect(page).toHaveURL(new RegExp(`/console/admin/units/${stationUnit.id}$`));
  await expect(page.getByRole('status').filter({ hasText: '已保存' })).toBeVisible();
  await expect(page.getByText('当前辖区：1 个区域，共 4 个点')).toBeVisible();

  // The department, its area pasted as a FeatureCollection.
  form = await newUnit(page, department, '非警务部门');
  await form.getByRole('checkbox', { name: category.zh }).check();
  await form
    .getByLabel('GeoJSON 文本')
    .fill(JSON.stringify({ type: 'FeatureCollection', features: [squareFeature(lon, lat, 0.2, department.en)] }));
  await expect(form.getByRole('region', { name: '辖区预览：1 个区域，共 4 个点' })).toBeVisible();
  const createdDept = page.waitForResponse((r) => r.url().endsWith('/v1/admin/units') && r.request().method() === 'POST');
  await form.getByRole('button', { name: '创建单位' }).click();
  const deptRes = await createdDept;
  expect(deptRes.status()).toBe(201);
  const deptUnit = (await deptRes.json()) as { id: string };
  await expect(page.getByRole('list', { name: '单位' }).getByRole('link', { name: new RegExp(department.zh) })).toContainText('非警务部门');

  // An officer for each.
  const officers = [
    { username: `st-${suffix}`, password: 'station-officer-e2e-1', unit: station.zh },
    { username: `dept-${suffix}`, password: 'dept-officer-e2e-1', unit: department.zh },
  ];
  for (const o of officers) {
    await page.goto('/console/admin/staff/new');
    const staff = page.getByRole('form', { name: '新建账号' });
    await staff.getByLabel('用户名').fill(o.username);
    await staff.getByLabel('角色').selectOption({ label: '单位民警' });
    await staff.getByLabel('所属单位').selectOption({ label: o.unit });
    await staff.getByLabel('初始密码').fill(o.password);
    await staff.getByRole('button', { name: '创建账号' }).click();
    const detail = page.getByRole('region', { name: o.username });
    await expect(detail).toContainText('单位民警');
    await expect(detail).toContainText(o.unit);
  }

  // The rest of the service, through the API: a tip in the station's area
  // verified, forwarded to the station, accepted and resolved there; another
  // for the department's category forwarded to the department.
  const toStation = await verifiedLead(request, { lat: lat + 0.001, lon: lon + 0.001 }, 'illicit_card_ads');
  await forward(request, toStation.leadId, stationUnit.id);
  await acceptAndResolve(request, officers[0]!, toStation.leadId, 'number_suspended');
  const toDept = await verifiedLead(request, { lat: lat - 0.001, lon: lon - 0.001 }, category.code);
  await forward(request, toDept.leadId, deptUnit.id);

  // The statistics, for the default period (the last 7 days).
  const answered = page.waitForResponse((r) => r.url().includes('/v1/stats/overview'));
  await page.goto('/console/stats');
  const overview = (await (await answered).json()) as {
    leads_by_status: Array<{ status: string; count: number }>;
    accepted_to_resolved: { median_secs?: number; p90_secs?: number; count: number };
    forwarded_to_accepted: { median_secs?: number; count: number };
    submitted_to_verified: { median_secs?: number; count: number };
    non_police_share?: number;
    leads_to_non_police: number;
    leads_forwarded: number;
  };
  const resolved = overview.leads_by_status.find((c) => c.status === 'resolved')?.count ?? 0;
  expect(resolved).toBeGreaterThanOrEqual(1);
  expect(overview.leads_to_non_police).toBeGreaterThanOrEqual(1);

  const figures = page.getByRole('region', { name: '本期概况' });
  await expect(figures.getByRole('group', { name: '转交非警务部门' })).toContainText(pct(overview.non_police_share!));
  await expect(figures.getByRole('group', { name: '转交非警务部门' })).toContainText(
    `转交的 ${overview.leads_forwarded} 条线索中有 ${overview.leads_to_non_police} 条`,
  );
  await expect(figures.getByRole('group', { name: '审核用时（中位数）' })).toContainText(span(overview.submitted_to_verified.median_secs));

  const leadsByState = page.getByRole('figure', { name: '线索（按当前状态）' });
  await expect(leadsByState.getByRole('row', { name: /已办结/ })).toContainText(String(resolved));

  const stages = page.getByRole('figure', { name: '各环节用时' });
  const resolveRow = stages.getByRole('row', { name: /受理 → 办结/ });
  await expect(resolveRow.getByRole('cell').nth(0)).toHaveText(span(overview.accepted_to_resolved.median_secs));
  await expect(resolveRow.getByRole('cell').nth(1)).toHaveText(span(overview.accepted_to_resolved.p90_secs));
  await expect(resolveRow.getByRole('cell').nth(2)).toHaveText(String(overview.accepted_to_resolved.count));
  expect(overview.accepted_to_resolved.count).toBeGreaterThanOrEqual(1);
  await expect(stages.getByRole('row', { name: /转交 → 受理/ }).getByRole('cell').nth(0)).toHaveText(
    span(overview.forwarded_to_accepted.median_secs),
  );

  // The station kept both its deadlines.
  const units = page.getByRole('figure', { name: '各单位按时率' });
  await expect(units.getByRole('row', { name: new RegExp(station.zh) })).toContainText('100%（1/1）');
  await expect(units.getByRole('row', { name: new RegExp(department.zh) })).toContainText('期限未到');

  // The CSV, with the resolved lead's row.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: '下载线索 CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^leads-\d{8}-\d{8}\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  const [head, ...rows] = csv.trim().split(/\r\n/);
  expect(head).toBe('reference,status,category,tips,unit,unit_kind,created_at,forwarded_at,accepted_at,resolved_at,outcome,overdue');
  const row = rows.find((r) => r.startsWith(`${toStation.reference},`));
  expect(row, `a row for ${toStation.reference} in:\n${csv}`).toBeDefined();
  const cells = row!.split(',');
  expect(cells.slice(0, 6)).toEqual([toStation.reference, 'resolved', 'illicit_card_ads', '1', station.en, 'police_station']);
  expect(cells[10]).toBe('number_suspended');
  expect(rows.find((r) => r.startsWith(`${toDept.reference},`))).toContain(`,forwarded,${category.code},1,${department.en},department,`);
});
