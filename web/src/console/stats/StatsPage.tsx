import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useConsole } from '../state';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { formatDateTime, formatNumber } from '../../shared/format/time';
import type { Schemas } from '../../shared/api/types';
import { decodePeriod, encodePeriod, PRESETS, resolvePeriod, dayOf, type Period, type Preset } from './period';
import { figuresOf, type Overview } from './figures';
import { formatSpan, type SpanKey } from './span';
import type { ChartsProps } from './Charts';
import { allUnits } from '../admin/data';
import './stats.css';

export interface Names {
  category: (code: string) => string;
  unit: (u: Schemas['UnitStats']) => { name: string; lang?: string };
}

let Charts: ComponentType<ChartsProps> | undefined;

/** The charts are a chunk of their own, fetched as the page opens (in parallel with the figures). */
function useCharts() {
  const [, setTick] = useState(0);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (Charts) return;
    let live = true;
    import('./Charts')
      .then((m) => {
        Charts = m.Charts;
        if (live) setTick((n) => n + 1);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, []);
  return { Charts, failed };
}

function useNames(isAdmin: boolean): Names {
  const { api, i18n } = useConsole();
  const lang = i18n.lang.value;
  const [categories, setCategories] = useState<Schemas['Category'][]>([]);
  const [units, setUnits] = useState<Schemas['UnitView'][]>([]);
  useEffect(() => {
    let live = true;
    const cats = isAdmin ? call(api.GET('/v1/admin/categories')) : call(api.GET('/v1/categories'));
    cats.then((c) => live && setCategories(c)).catch(() => undefined);
    if (isAdmin) {
      // Only administrators can read units; the stats name them in English only.
      allUnits(api)
        .then((u) => live && setUnits(u))
        .catch(() => undefined);
    }
    return () => {
      live = false;
    };
  }, [isAdmin]);
  return {
    category: (code) => {
      const c = categories.find((x) => x.code === code);
      return c ? (lang === 'zh-CN' ? c.label_zh : c.label_en) : code;
    },
    unit: (s) => {
      const u = units.find((x) => x.id === s.unit_id);
      if (u) return { name: lang === 'zh-CN' ? u.name_zh : u.name_en };
      return lang === 'zh-CN' ? { name: s.name_en, lang: 'en' } : { name: s.name_en };
    },
  };
}

/** The statistics desk: the period, four figures first, then the charts, and the CSV. */
export function StatsPage() {
  const { api, i18n, session } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const { query, route } = useLocation();
  const period = decodePeriod(query);
  const periodKey = JSON.stringify(period);
  const s = session.state.value;
  const isAdmin = s.status === 'signed_in' && s.user.role === 'admin';
  const names = useNames(isAdmin);
  const charts = useCharts();
  // Fixed when the period is chosen (or the page reloaded), so the figures
  // and the CSV cover the same span.
  const range = useMemo(() => resolvePeriod(period, Date.now()), [periodKey]);
  const [overview, setOverview] = useState<Overview | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const [custom, setCustom] = useState<{ from: string; to: string }>(() => ({
    from: period.from ?? dayOf(range.from.getTime()),
    to: period.to ?? dayOf(range.to.getTime() - 1),
  }));
  const [download, setDownload] = useState<{ busy: boolean; problem?: Problem; note?: string }>({ busy: false });
  const [preset, setPreset] = useState<Preset>(period.preset);

  useEffect(() => setPreset(period.preset), [periodKey]);

  useEffect(() => {
    let live = true;
    setProblem(undefined);
    setOverview(undefined);
    call(api.GET('/v1/stats/overview', { params: { query: { from: range.from.toISOString(), to: range.to.toISOString() } } }))
      .then((o) => live && setOverview(o))
      .catch((e: unknown) => live && setProblem(toProblem(e)));
    return () => {
      live = false;
    };
  }, [range, tick]);

  function go(p: Period) {
    const q = new URLSearchParams(encodePeriod(p)).toString();
    route(`/console/stats${q ? `?${q}` : ''}`);
  }

  function choose(next: Preset) {
    setPreset(next);
    if (next !== 'custom') go({ preset: next });
  }

  function applyCustom(e: Event) {
    e.preventDefault();
    go({ preset: 'custom', from: custom.from, to: custom.to });
  }

  async function downloadCsv() {
    setDownload({ busy: true });
    try {
      const { data, error, response } = await api.GET('/v1/stats/leads.csv', {
        params: { query: { from: range.from.toISOString(), to: range.to.toISOString() } },
        parseAs: 'blob',
      });
      if (!response.ok || !data) throw toProblem(error ?? new Error('no body'));
      const name = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'leads.csv';
      const url = URL.createObjectURL(data as Blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDownload({ busy: false, note: t('stats.csv.done', { name }) });
    } catch (e) {
      setDownload({ busy: false, problem: toProblem(e) });
    }
  }

  const span = (secs: number | undefined) =>
    secs === undefined ? '—' : formatSpan(secs, (key: SpanKey, params) => t(key, params));
  const pct = (x: number | undefined) =>
    x === undefined ? '—' : new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(x);
  const f = overview ? figuresOf(overview) : undefined;

  return (
    <div class="page stats">
      <div class="stats__head">
        <h1>{t('desk.stats')}</h1>
        <div class="stats__tools">
          <div class="field stats__period">
            <label for="stats-period">{t('stats.period')}</label>
            <select id="stats-period" value={preset} onChange={(e) => choose((e.currentTarget as HTMLSelectElement).value as Preset)}>
              {PRESETS.map((p) => (
                <option key={p} value={p}>
                  {t(`stats.preset.${p}`)}
                </option>
              ))}
            </select>
          </div>
          {preset === 'custom' && (
            <form class="stats__custom" onSubmit={applyCustom}>
              <div class="field">
                <label for="stats-from">{t('stats.from')}</label>
                <input id="stats-from" type="date" required value={custom.from} onInput={(e) => setCustom((c) => ({ ...c, from: (e.currentTarget as HTMLInputElement).value }))} />
              </div>
              <div class="field">
                <label for="stats-to">{t('stats.to')}</label>
                <input id="stats-to" type="date" required min={custom.from} value={custom.to} onInput={(e) => setCustom((c) => ({ ...c, to: (e.currentTarget as HTMLInputElement).value }))} />
              </div>
              <button type="submit" class="button">
                {t('stats.apply')}
              </button>
            </form>
          )}
          <button type="button" class="button button--quiet stats__csv" onClick={() => void downloadCsv()} disabled={download.busy}>
            {download.busy ? t('stats.csv.busy') : t('stats.csv.download')}
          </button>
        </div>
      </div>
      <p class="stats__range">
        {t('stats.range', { from: formatDateTime(range.from, lang), to: formatDateTime(range.to, lang) })}
      </p>
      {download.problem && <ProblemMessage problem={download.problem} onRetry={() => void downloadCsv()} />}
      <p class="visually-hidden" role="status">
        {download.note ?? ''}
      </p>
      {problem && <ProblemMessage problem={problem} onRetry={() => setTick((n) => n + 1)} />}
      {!overview && !problem && (
        <p class="stats__loading" aria-busy="true">
          {t('state.loading')}
        </p>
      )}
      {f && overview && (
        <>
          <section class="stats-figures" aria-label={t('stats.figures')}>
            <Figure id="tips" label={t('stats.fig.tips')} value={formatNumber(f.tips, lang)} note={t(f.leads === 1 ? 'stats.fig.tips_note_one' : 'stats.fig.tips_note', { leads: formatNumber(f.leads, lang) })} />
            <Figure
              id="decision"
              label={t('stats.fig.decision')}
              value={span(f.decisionMedianSecs)}
              note={f.decisions > 0 ? t(f.decisions === 1 ? 'stats.fig.decision_note_one' : 'stats.fig.decision_note', { p90: span(f.decisionP90Secs), n: formatNumber(f.decisions, lang) }) : t('stats.fig.decision_none')}
            />
            <Figure
              id="non-police"
              label={t('stats.fig.non_police')}
              value={pct(f.nonPoliceShare)}
              note={
                f.leadsForwarded > 0
                  ? t('stats.fig.non_police_note', { n: formatNumber(f.leadsToNonPolice, lang), m: formatNumber(f.leadsForwarded, lang) })
                  : t('stats.fig.non_police_none')
              }
            />
            <Figure
              id="on-time"
              label={t('stats.fig.on_time')}
              value={pct(f.onTimeRate)}
              note={
                f.deadlinesDue > 0
                  ? t('stats.fig.on_time_note', { n: formatNumber(f.onTime, lang), m: formatNumber(f.deadlinesDue, lang) })
                  : t('stats.fig.on_time_none')
              }
            />
          </section>
          {charts.Charts ? (
            <charts.Charts overview={overview} names={names} span={span} pct={pct} />
          ) : charts.failed ? (
            <div class="problem" role="alert">
              <p>{t('console.load_failed')}</p>
            </div>
          ) : (
            <p class="stats__loading">{t('state.loading')}</p>
          )}
        </>
      )}
    </div>
  );
}

function Figure({ id, label, value, note }: { id: string; label: string; value: string; note: string }) {
  return (
    <div class="stats-figure" role="group" aria-labelledby={`fig-${id}-label`} aria-describedby={`fig-${id}-note`}>
      <p class="stats-figure__label" id={`fig-${id}-label`}>
        {label}
      </p>
      <p class="stats-figure__value" data-testid={`figure-${id}`}>
        {value}
      </p>
      <p class="stats-figure__note" id={`fig-${id}-note`}>
        {note}
      </p>
    </div>
  );
}
