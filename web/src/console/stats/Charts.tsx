// The statistics page's charts, in plain SVG drawn here (a few kilobytes,
// rather than a charting library's tens): horizontal bars in tables, so the
// numbers are text a screen reader reads and a test finds by role, and the
// bars are only their picture. A chunk of its own, loaded with the page.

import type { ComponentChildren } from 'preact';
import { useConsole } from '../state';
import { formatNumber } from '../../shared/format/time';
import { STAGES, type Overview } from './figures';
import type { Names } from './StatsPage';

export interface ChartsProps {
  overview: Overview;
  names: Names;
  span: (secs: number | undefined) => string;
  pct: (x: number | undefined) => string;
}

/** One bar: what it counts (a state or a category code) and how many. */
interface Count {
  key: string;
  count: number;
}

/** A bar from 0 to `value` of `max`, as wide as its cell; `under` is a lighter bar behind it. */
function Bar({ value, max, under, tone = 'main' }: { value: number; max: number; under?: number; tone?: 'main' | 'good' | 'bad' }) {
  const w = (x: number) => (max > 0 ? Math.max(0, Math.min(100, (x / max) * 100)) : 0);
  return (
    <svg class={`chart-bar chart-bar--${tone}`} viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <rect class="chart-bar__track" x="0" y="0" width="100" height="10" />
      {under !== undefined && <rect class="chart-bar__under" x="0" y="0" width={w(under).toFixed(2)} height="10" />}
      <rect class="chart-bar__fill" x="0" y={under !== undefined ? 2.5 : 0} width={w(value).toFixed(2)} height={under !== undefined ? 5 : 10} />
    </svg>
  );
}

function Chart({ id, title, note, children, empty }: { id: string; title: string; note?: string; children: ComponentChildren; empty?: string }) {
  return (
    <figure class="chart" aria-labelledby={`chart-${id}`}>
      <figcaption id={`chart-${id}`} class="chart__title">
        {title}
      </figcaption>
      {note && <p class="chart__note">{note}</p>}
      {empty ? <p class="chart__empty">{empty}</p> : children}
    </figure>
  );
}

function CountChart({ id, title, rows, label }: { id: string; title: string; rows: Count[]; label: (key: string) => string }) {
  const { i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const max = Math.max(0, ...rows.map((r) => r.count));
  const sorted = [...rows].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  return (
    <Chart id={id} title={title} empty={rows.length === 0 ? t('stats.chart.empty') : undefined}>
      <table class="chart-table">
        <thead class="visually-hidden">
          <tr>
            <th scope="col">{t('stats.chart.what')}</th>
            <th scope="col">{t('stats.chart.count')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={r.key}>
              <th scope="row">{label(r.key)}</th>
              <td>
                <span class="chart-row">
                  <Bar value={r.count} max={max} />
                  <span class="chart-row__value num">{formatNumber(r.count, lang)}</span>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Chart>
  );
}

function StageChart({ overview, span }: Pick<ChartsProps, 'overview' | 'span'>) {
  const { i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const max = Math.max(0, ...STAGES.map((s) => overview[s].p90_secs ?? overview[s].median_secs ?? 0));
  return (
    <Chart id="stages" title={t('stats.chart.stages')} note={t('stats.chart.stages_note')}>
      <table class="chart-table chart-table--stages">
        <thead>
          <tr>
            <th scope="col">{t('stats.chart.stage')}</th>
            <th scope="col">{t('stats.chart.median')}</th>
            <th scope="col">{t('stats.chart.p90')}</th>
            <th scope="col">{t('stats.chart.n')}</th>
            <th scope="col" class="chart-table__bar-col">
              <span class="visually-hidden">{t('stats.chart.picture')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {STAGES.map((s) => {
            const st = overview[s];
            return (
              <tr key={s}>
                <th scope="row">{t(`stats.stage.${s}`)}</th>
                <td class="num">{span(st.median_secs)}</td>
                <td class="num">{span(st.p90_secs)}</td>
                <td class="num">{formatNumber(st.count, lang)}</td>
                <td class="chart-table__bar-col">
                  <Bar value={st.median_secs ?? 0} under={st.p90_secs ?? 0} max={max} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Chart>
  );
}

function UnitChart({ overview, names, pct }: Pick<ChartsProps, 'overview' | 'names' | 'pct'>) {
  const { i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const units = [...overview.units].sort((a, b) => b.leads - a.leads || a.name_en.localeCompare(b.name_en));
  return (
    <Chart id="units" title={t('stats.chart.units')} note={t('stats.chart.units_note')} empty={units.length === 0 ? t('stats.chart.units_empty') : undefined}>
      <table class="chart-table chart-table--units">
        <thead>
          <tr>
            <th scope="col">{t('stats.chart.unit')}</th>
            <th scope="col">{t('stats.chart.leads')}</th>
            <th scope="col">{t('stats.chart.on_time')}</th>
            <th scope="col" class="chart-table__bar-col">
              <span class="visually-hidden">{t('stats.chart.picture')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {units.map((u) => {
            const name = names.unit(u);
            const rate = u.on_time_rate ?? (u.deadlines_due > 0 ? u.on_time / u.deadlines_due : undefined);
            return (
              <tr key={u.unit_id}>
                <th scope="row">
                  <span lang={name.lang}>{name.name}</span>
                  <span class="chart-table__kind">{t(`admin.kind.${u.kind}`)}</span>
                </th>
                <td class="num">{formatNumber(u.leads, lang)}</td>
                <td class="num">
                  {rate === undefined
                    ? t('stats.chart.no_deadline')
                    : t('stats.chart.on_time_of', { rate: pct(rate), n: formatNumber(u.on_time, lang), m: formatNumber(u.deadlines_due, lang) })}
                </td>
                <td class="chart-table__bar-col">
                  <Bar value={rate ?? 0} max={1} tone={rate === undefined ? 'main' : rate >= 0.9 ? 'good' : rate < 0.6 ? 'bad' : 'main'} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Chart>
  );
}

export function Charts({ overview, names, span, pct }: ChartsProps) {
  const { t, lookup } = useConsole().i18n;
  const tipState = (k: string) => lookup(`stats.tip_status.${k}`) ?? k;
  const leadState = (k: string) => lookup(`stats.lead_status.${k}`) ?? k;
  return (
    <div class="stats-charts">
      <CountChart id="tips-state" title={t('stats.chart.tips_by_status')} rows={overview.tips_by_status.map((r) => ({ key: r.status, count: r.count }))} label={tipState} />
      <CountChart id="leads-state" title={t('stats.chart.leads_by_status')} rows={overview.leads_by_status.map((r) => ({ key: r.status, count: r.count }))} label={leadState} />
      <CountChart id="tips-category" title={t('stats.chart.tips_by_category')} rows={overview.tips_by_category.map((r) => ({ key: r.category, count: r.count }))} label={names.category} />
      <CountChart id="leads-category" title={t('stats.chart.leads_by_category')} rows={overview.leads_by_category.map((r) => ({ key: r.category, count: r.count }))} label={names.category} />
      <div class="stats-charts__wide">
        <StageChart overview={overview} span={span} />
      </div>
      <div class="stats-charts__wide">
        <UnitChart overview={overview} names={names} pct={pct} />
      </div>
    </div>
  );
}
