import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ListDetail } from '../../ListDetail';
import { useConsole } from '../../state';
import { ProblemMessage } from '../../../shared/ui/ProblemMessage';
import type { SectionProps } from '../AdminPage';
import { allCategories, allUnits, unitName, useLoad, UNIT_KINDS, type Unit } from '../data';
import { Badge } from '../ui';
import { UnitEditor } from './UnitEditor';
import { ConsoleMap, type MapOutline } from '../../map';

const KIND_FILTERS = ['all', ...UNIT_KINDS] as const;
type KindFilter = (typeof KIND_FILTERS)[number];

/** The units list (filter by kind and name, kept in the URL) and the open unit's editor. */
export function UnitsSection({ sub }: SectionProps) {
  const { i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const { query, route, path } = useLocation();
  const units = useLoad(allUnits);
  const categories = useLoad(allCategories);
  const kind: KindFilter = (KIND_FILTERS as readonly string[]).includes(query.kind ?? '') ? (query.kind as KindFilter) : 'all';
  const q = (query.q ?? '').slice(0, 100);
  const open = sub.split('/')[0] ?? '';
  const [createdId, setCreatedId] = useState<string | undefined>(undefined);

  function setFilter(next: { kind?: KindFilter; q?: string }) {
    const params = new URLSearchParams();
    const k = next.kind ?? kind;
    const text = next.q ?? q;
    if (k !== 'all') params.set('kind', k);
    if (text) params.set('q', text);
    const s = params.toString();
    route(`${path}${s ? `?${s}` : ''}`, true);
  }

  const search = q.trim().toLowerCase();
  const shown = (units.data ?? []).filter(
    (u) =>
      (kind === 'all' || u.kind === kind) &&
      (!search || u.name_zh.toLowerCase().includes(search) || u.name_en.toLowerCase().includes(search)),
  );
  const keep = (() => {
    const s = new URLSearchParams(query as Record<string, string>).toString();
    return s ? `?${s}` : '';
  })();

  function saved(u: Unit, created: boolean) {
    units.set((list) => (created ? [...list, u] : list.map((x) => (x.id === u.id ? u : x))));
    if (created) {
      setCreatedId(u.id);
      route(`/console/admin/units/${u.id}${keep}`, true);
    }
  }

  const list = (
    <>
      <div class="admin-list__head">
        <h1 class="admin-list__title">{t('admin.units.heading')}</h1>
        <a class="button" href={`/console/admin/units/new${keep}`}>
          {t('admin.units.new')}
        </a>
      </div>
      <div class="admin-filters" role="search" aria-label={t('admin.filters')}>
        <div class="field">
          <label for="units-kind">{t('admin.units.kind')}</label>
          <select id="units-kind" value={kind} onChange={(e) => setFilter({ kind: (e.currentTarget as HTMLSelectElement).value as KindFilter })}>
            {KIND_FILTERS.map((k) => (
              <option key={k} value={k}>
                {k === 'all' ? t('admin.all') : t(`admin.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="units-q">{t('admin.units.search')}</label>
          <input id="units-q" type="search" value={q} onInput={(e) => setFilter({ q: (e.currentTarget as HTMLInputElement).value })} />
        </div>
      </div>
      {units.problem && <ProblemMessage problem={units.problem} onRetry={units.reload} />}
      {!units.data && !units.problem && <p class="admin-empty">{t('state.loading')}</p>}
      {units.data && shown.length === 0 && <p class="admin-empty">{t('admin.units.none')}</p>}
      <ul class="admin-rows" aria-label={t('admin.units.heading')}>
        {shown.map((u) => (
          <li key={u.id}>
            <a
              class="admin-row"
              href={`/console/admin/units/${u.id}${keep}`}
              aria-current={u.id === open ? 'true' : undefined}
            >
              <span class="admin-row__main">
                <span class="admin-row__title">{unitName(u, lang)}</span>
                <span class="admin-row__meta">
                  {t(`admin.kind.${u.kind}`)}
                  {' · '}
                  {u.jurisdiction ? t('admin.units.has_area') : t('admin.units.no_area')}
                  {' · '}
                  {u.categories.length === 0
                    ? t('admin.units.category_none')
                    : t(u.categories.length === 1 ? 'admin.units.category_count_one' : 'admin.units.category_count', { n: u.categories.length })}
                </span>
              </span>
              {u.disabled && <Badge tone="muted">{t('admin.disabled')}</Badge>}
            </a>
          </li>
        ))}
      </ul>
    </>
  );

  const unit = units.data?.find((u) => u.id === open);
  let item = null;
  if (open === 'new') {
    item = (
      <UnitEditor key="new" units={units.data ?? []} categories={categories.data ?? []} onSaved={saved} backHref={`/console/admin/units${keep}`} />
    );
  } else if (open && unit) {
    item = (
      <UnitEditor
        key={unit.id}
        unit={unit}
        units={units.data ?? []}
        categories={categories.data ?? []}
        onSaved={saved}
        backHref={`/console/admin/units${keep}`}
        created={unit.id === createdId}
      />
    );
  } else if (open && units.data) {
    item = (
      <div class="page-message">
        <p>{t('error.not_found')}</p>
      </div>
    );
  } else {
    // Every unit's area together: gaps and overlaps between districts show.
    const outlines: MapOutline[] = shown
      .filter((u) => u.jurisdiction && !u.disabled)
      .map((u) => ({ id: u.id, label: unitName(u, lang), geometry: u.jurisdiction! }));
    item = (
      <div class="admin-placeholder">
        <p>{t('admin.units.pick')}</p>
        {outlines.length > 0 && (
          <ConsoleMap label={t('admin.units.overview_map', { n: outlines.length })} height="420px" points={[]} outlines={outlines} />
        )}
      </div>
    );
  }

  return <ListDetail listLabel={t('admin.units.heading')} itemLabel={t('admin.units.editor')} itemOpen={!!open} list={list} item={item} />;
}
