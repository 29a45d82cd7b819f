import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useConsole } from '../../state';
import { ProblemMessage } from '../../../shared/ui/ProblemMessage';
import type { Problem } from '../../../shared/api/problem';
import type { Schemas } from '../../../shared/api/types';
import { callDetailed, DetailedProblem, placeProblem, type Issue, type Issues } from '../problems';
import { categoryLabel, unitName, UNIT_KINDS, type Category, type Unit } from '../data';
import { Badge, Field, focusFirstIssue, SelectField, TextField, useIssueText } from '../ui';
import { geometryOf, parseGeoJson, vertexCount, type Geometry, type GeoJsonError } from './geojson';
import { locateProblem, parseJurisdictionProblem, shapeProblem, type JurisdictionProblem } from './problem';
import { ConsoleMap, type MapOutline, type MapPoint } from '../../map';

type Kind = Schemas['UnitKind'];

const FIELDS = [
  'name_zh',
  'name_en',
  'kind',
  'parent_id',
  'categories',
  'accept_hours',
  'resolve_hours',
  'jurisdiction',
  'webhook_url',
  'webhook_secret',
  'disabled',
] as const;
type F = (typeof FIELDS)[number];

const PLACING = {
  fields: FIELDS,
  paths: { 'webhook.url': 'webhook_url', 'webhook.secret': 'webhook_secret', webhook: 'webhook_url' } as Record<string, F>,
  codes: {
    'unit.invalid_name': 'name_zh',
    'unit.invalid_kind': 'kind',
    'unit.invalid_parent': 'parent_id',
    'unit.unknown_category': 'categories',
    'unit.invalid_categories': 'categories',
    'unit.invalid_deadline': 'accept_hours',
    'unit.invalid_webhook': (detail: string) => (/secret/.test(detail) ? 'webhook_secret' : 'webhook_url'),
    'unit.invalid_jurisdiction': 'jurisdiction',
  } as Record<string, F | ((d: string) => F)>,
};

type Secret = { mode: 'keep' } | { mode: 'replace'; value: string } | { mode: 'remove' };
type Area = { mode: 'keep' } | { mode: 'new'; text: string; file?: string } | { mode: 'clear' };

interface Draft {
  name_zh: string;
  name_en: string;
  kind: Kind;
  parent_id: string;
  categories: string[];
  accept_hours: string;
  resolve_hours: string;
  webhook_url: string;
  secret: Secret;
  disabled: boolean;
  area: Area;
}

function draftOf(u: Unit | undefined): Draft {
  return {
    name_zh: u?.name_zh ?? '',
    name_en: u?.name_en ?? '',
    kind: u?.kind ?? 'police_station',
    parent_id: u?.parent_id ?? '',
    categories: u?.categories ?? [],
    accept_hours: String(u?.accept_hours ?? 24),
    resolve_hours: String(u?.resolve_hours ?? 168),
    webhook_url: u?.webhook_url ?? '',
    secret: u?.webhook_secret_set ? { mode: 'keep' } : { mode: 'replace', value: '' },
    disabled: u?.disabled ?? false,
    area: { mode: 'keep' },
  };
}

const URL_RE = /^https?:\/\/[^/?#]/;
const HOURS_RE = /^\d{1,4}$/;

/** The pasted or uploaded GeoJSON, read. */
type Reading = { ok: true; geometry: Geometry; polygons: number } | { ok: false; error: GeoJsonError } | undefined;

function read(area: Area): Reading {
  return area.mode === 'new' ? parseGeoJson(area.text) : undefined;
}

/** What the service said about the shape that was sent, and where. */
interface AreaProblem {
  problem: JurisdictionProblem;
  sent: Geometry;
  sentText: string;
}

function validate(d: Draft, unit: Unit | undefined, reading: Reading): Issues<F> {
  const issues: Issues<F> = {};
  const need = (f: F, v: string) => {
    if (!/\S/.test(v)) issues[f] = { key: `admin.invalid.${f}` };
  };
  need('name_zh', d.name_zh);
  need('name_en', d.name_en);
  for (const f of ['accept_hours', 'resolve_hours'] as const) {
    const v = d[f].trim();
    if (!HOURS_RE.test(v) || Number(v) < 1 || Number(v) > 8760) issues[f] = { key: 'admin.invalid.hours' };
  }
  const url = d.webhook_url.trim();
  if (url && !URL_RE.test(url)) issues.webhook_url = { key: 'admin.invalid.webhook_url' };
  if (url && d.secret.mode === 'replace' && (d.secret.value.length < 16 || d.secret.value.length > 200)) {
    issues.webhook_secret = { key: 'admin.invalid.webhook_secret' };
  }
  if (url && !unit?.webhook_secret_set && d.secret.mode !== 'replace') {
    issues.webhook_secret = { key: 'admin.invalid.webhook_secret' };
  }
  // The API sets the URL and the secret together: a new address needs the
  // secret again.
  if (unit?.webhook_secret_set && url && url !== (unit.webhook_url ?? '') && d.secret.mode === 'keep') {
    issues.webhook_secret = { key: 'admin.units.secret_again' };
  }
  if (!url && d.secret.mode === 'replace' && d.secret.value) issues.webhook_url = { key: 'admin.invalid.webhook_url' };
  if (reading && !reading.ok) issues.jurisdiction = geoIssue(reading.error);
  if (reading && reading.ok) {
    const local = shapeProblem(reading.geometry);
    if (local) issues.jurisdiction = jurisdictionIssue(local);
  }
  return issues;
}

function geoIssue(e: GeoJsonError): Issue {
  const params: Record<string, string | number> = {};
  if ('where' in e) params.where = e.where;
  if ('type' in e) params.type = e.type;
  if ('count' in e) {
    params.count = e.count;
    params.max = e.max;
  }
  return { key: `admin.geojson.${e.code}`, params };
}

function jurisdictionIssue(p: JurisdictionProblem): Issue {
  return { key: `admin.jurisdiction.${p.kind}`, params: { path: p.path || 'coordinates', ...p.params }, code: 'unit.invalid_jurisdiction' };
}

type Body = Schemas['NewUnitRequest'];
type Patch = Schemas['UnitPatch'];

function bodyOf(d: Draft, unit: Unit | undefined, reading: Reading): Body | Patch {
  const url = d.webhook_url.trim();
  const webhook =
    url && d.secret.mode === 'replace' ? { url, secret: d.secret.value } : undefined;
  if (!unit) {
    const b: Body = {
      name_zh: d.name_zh.trim(),
      name_en: d.name_en.trim(),
      kind: d.kind,
      categories: d.categories,
      accept_hours: Number(d.accept_hours),
      resolve_hours: Number(d.resolve_hours),
    };
    if (d.parent_id) b.parent_id = d.parent_id;
    if (webhook) b.webhook = webhook;
    if (reading?.ok) b.jurisdiction = reading.geometry as Body['jurisdiction'];
    return b;
  }
  const p: Patch = {};
  if (d.name_zh.trim() !== unit.name_zh) p.name_zh = d.name_zh.trim();
  if (d.name_en.trim() !== unit.name_en) p.name_en = d.name_en.trim();
  if (d.kind !== unit.kind) p.kind = d.kind;
  if (d.parent_id !== (unit.parent_id ?? '')) p.parent_id = d.parent_id || null;
  const same = d.categories.length === unit.categories.length && d.categories.every((c) => unit.categories.includes(c));
  if (!same) p.categories = d.categories;
  if (Number(d.accept_hours) !== unit.accept_hours) p.accept_hours = Number(d.accept_hours);
  if (Number(d.resolve_hours) !== unit.resolve_hours) p.resolve_hours = Number(d.resolve_hours);
  const hadHook = !!unit.webhook_url;
  if ((!url && hadHook) || d.secret.mode === 'remove') p.webhook = null;
  else if (webhook) p.webhook = webhook;
  if (d.disabled !== unit.disabled) p.disabled = d.disabled;
  // The generated type drops `type` from the nullable jurisdiction; the API wants it.
  if (d.area.mode === 'clear') p.jurisdiction = null;
  else if (reading?.ok) p.jurisdiction = reading.geometry as unknown as Patch['jurisdiction'];
  return p;
}

/** The saved outline as a file, as GIS tools read it (a Feature). */
function downloadGeoJson(g: Geometry, name: string) {
  const blob = new Blob([JSON.stringify({ type: 'Feature', properties: {}, geometry: g })], { type: 'application/geo+json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A short fingerprint of a text, so the map sees a changed outline as a new one. */
function fingerprint(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return `${text.length}-${(h >>> 0).toString(36)}`;
}

interface Props {
  unit?: Unit;
  units: Unit[];
  categories: Category[];
  onSaved: (u: Unit, created: boolean) => void;
  backHref: string;
  /** Just created: the editor opens saying so. */
  created?: boolean;
}

export function UnitEditor({ unit, units, categories, onSaved, backHref, created = false }: Props) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const issueText = useIssueText();
  const [draft, setDraft] = useState<Draft>(() => draftOf(unit));
  const [issues, setIssues] = useState<Issues<F>>({});
  const [general, setGeneral] = useState<Problem | undefined>(undefined);
  const [areaProblem, setAreaProblem] = useState<AreaProblem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(created);
  const form = useRef<HTMLFormElement>(null);
  const geojsonField = useRef<HTMLTextAreaElement>(null);

  const reading = useMemo(() => read(draft.area), [draft.area]);
  const stored = useMemo(() => geometryOf(unit?.jurisdiction), [unit?.jurisdiction]);
  const id = unit?.id ?? 'new';

  function set<K extends keyof Draft>(k: K, v: Draft[K]) {
    setDraft((d) => ({ ...d, [k]: v }));
    setSaved(false);
    const f = (k === 'secret' ? 'webhook_secret' : k === 'area' ? 'jurisdiction' : k) as F;
    if (issues[f]) setIssues((i) => ({ ...i, [f]: undefined }));
  }

  // The server's word on the shape stands while the text is the one sent.
  const liveAreaProblem =
    areaProblem && draft.area.mode === 'new' && draft.area.text === areaProblem.sentText ? areaProblem : undefined;
  const localProblem = reading?.ok ? shapeProblem(reading.geometry) : undefined;
  const shownProblem = liveAreaProblem?.problem ?? localProblem;
  const problemGeometry = liveAreaProblem?.sent ?? (reading?.ok ? reading.geometry : undefined);
  const markerAt = shownProblem && problemGeometry ? locateProblem(problemGeometry, shownProblem) : undefined;
  const marker: { at: [number, number]; label: string } | undefined =
    shownProblem && markerAt
      ? {
          at: markerAt,
          label: t('admin.jurisdiction.marker', {
            path:
              shownProblem.kind === 'crossing'
                ? t('admin.jurisdiction.edges', { path: shownProblem.path, a: Number(shownProblem.params.a), b: Number(shownProblem.params.b) })
                : shownProblem.path || 'coordinates',
          }),
        }
      : undefined;

  async function submit(e: Event) {
    e.preventDefault();
    setGeneral(undefined);
    setSaved(false);
    const found = validate(draft, unit, reading);
    if (Object.values(found).some(Boolean)) {
      setIssues(found);
      requestAnimationFrame(() => focusFirstIssue(form.current));
      return;
    }
    setIssues({});
    const body = bodyOf(draft, unit, reading);
    if (unit && Object.keys(body).length === 0) {
      setSaved(true);
      return;
    }
    setBusy(true);
    try {
      const result = unit
        ? await callDetailed(api.PATCH('/v1/admin/units/{id}', { params: { path: { id: unit.id } }, body: body as Patch }))
        : await callDetailed(api.POST('/v1/admin/units', { body: body as Body }));
      setAreaProblem(undefined);
      setSaved(true);
      setDraft(draftOf(result));
      onSaved(result, !unit);
    } catch (err) {
      const placed = placeProblem(err, PLACING);
      if (err instanceof DetailedProblem && err.code === 'unit.invalid_jurisdiction' && reading?.ok && draft.area.mode === 'new') {
        const problem = parseJurisdictionProblem(err.detail);
        setAreaProblem({ problem, sent: reading.geometry, sentText: draft.area.text });
        placed.issues.jurisdiction = jurisdictionIssue(problem);
      }
      setIssues(placed.issues);
      setGeneral(placed.general);
      requestAnimationFrame(() => focusFirstIssue(form.current));
    } finally {
      setBusy(false);
    }
  }

  async function onFile(e: Event) {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const text = await file.text();
    set('area', { mode: 'new', text, file: file.name });
  }

  const err = (f: F) => issueText(issues[f]);
  const parents = units.filter((u) => u.id !== unit?.id);
  const shownGeometry = draft.area.mode === 'clear' ? undefined : reading?.ok ? reading.geometry : liveAreaProblem?.sent ?? stored;
  const areaSummary = (g: Geometry | undefined) =>
    g
      ? t(g.type === 'Polygon' || g.coordinates.length === 1 ? 'admin.units.area_summary_one' : 'admin.units.area_summary', { areas: g.type === 'Polygon' ? 1 : g.coordinates.length, points: vertexCount(g) })
      : t('admin.units.no_area');
  const newText = draft.area.mode === 'new' ? draft.area.text : liveAreaProblem?.sentText ?? '';
  const outlines: MapOutline[] = [];
  // The saved outline dashed behind a new one, for comparison.
  if (stored && draft.area.mode !== 'keep') outlines.push({ id: `stored-${unit?.id}`, label: t('admin.units.map_stored'), geometry: stored, tone: 'suggested' });
  if (shownGeometry) {
    const isNew = shownGeometry !== stored;
    outlines.push({
      id: isNew ? `new-${fingerprint(newText)}` : `stored-${unit?.id}-current`,
      label: isNew ? t('admin.units.map_new') : t('admin.units.map_stored'),
      geometry: shownGeometry,
      tone: 'chosen',
    });
  }
  const points: MapPoint[] = marker
    ? [{ id: `problem-${fingerprint(marker.label + newText)}`, lat: marker.at[1], lon: marker.at[0], label: marker.label, tone: 'current' }]
    : [];

  return (
    <form ref={form} class="admin-editor" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
      <div class="admin-editor__head">
        <a class="admin-back" href={backHref}>
          {t('action.back')}
        </a>
        <h2 id={`${id}-heading`}>{unit ? unitName(unit, lang) : t('admin.units.new')}</h2>
        {unit?.disabled && <Badge tone="muted">{t('admin.disabled')}</Badge>}
      </div>
      {general && <ProblemMessage problem={general} />}
      <div class="admin-grid">
        <TextField id={`${id}-name-zh`} label={t('admin.units.name_zh')} value={draft.name_zh} onValue={(v) => set('name_zh', v)} error={err('name_zh')} maxLength={200} required lang="zh-CN" />
        <TextField id={`${id}-name-en`} label={t('admin.units.name_en')} value={draft.name_en} onValue={(v) => set('name_en', v)} error={err('name_en')} maxLength={200} required lang="en" />
        <SelectField
          id={`${id}-kind`}
          label={t('admin.units.kind')}
          value={draft.kind}
          options={UNIT_KINDS.map((k) => ({ value: k, label: t(`admin.kind.${k}`) }))}
          onValue={(v) => set('kind', v)}
          hint={t('admin.units.kind_hint')}
          error={err('kind')}
        />
        <SelectField
          id={`${id}-parent`}
          label={t('admin.units.parent')}
          value={draft.parent_id}
          options={[{ value: '', label: t('admin.units.no_parent') }, ...parents.map((u) => ({ value: u.id, label: unitName(u, lang) }))]}
          onValue={(v) => set('parent_id', v)}
          error={err('parent_id')}
        />
        <TextField
          id={`${id}-accept`}
          label={t('admin.units.accept_hours')}
          value={draft.accept_hours}
          onValue={(v) => set('accept_hours', v)}
          inputMode="numeric"
          hint={t('admin.units.hours_hint')}
          error={err('accept_hours')}
        />
        <TextField
          id={`${id}-resolve`}
          label={t('admin.units.resolve_hours')}
          value={draft.resolve_hours}
          onValue={(v) => set('resolve_hours', v)}
          inputMode="numeric"
          hint={t('admin.units.hours_hint')}
          error={err('resolve_hours')}
        />
      </div>

      <fieldset class="admin-fieldset" aria-describedby={issues.categories ? `${id}-categories-error` : undefined}>
        <legend>{t('admin.units.categories')}</legend>
        <div class="admin-checks">
          {categories.map((c) => (
            <label key={c.code} class="admin-check">
              <input
                type="checkbox"
                checked={draft.categories.includes(c.code)}
                onChange={(e) => {
                  const on = (e.currentTarget as HTMLInputElement).checked;
                  set('categories', on ? [...draft.categories, c.code] : draft.categories.filter((x) => x !== c.code));
                }}
              />
              <span>{categoryLabel(c, lang)}</span>
              {c.retired && <Badge tone="muted">{t('admin.retired')}</Badge>}
            </label>
          ))}
        </div>
        {issues.categories && (
          <p class="admin-field__error" id={`${id}-categories-error`}>
            {err('categories')}
          </p>
        )}
      </fieldset>

      <fieldset class="admin-fieldset">
        <legend>{t('admin.units.jurisdiction')}</legend>
        <p class="admin-field__hint">{t('admin.units.jurisdiction_hint')}</p>
        <div class="admin-area">
          <div class="admin-area__input">
            <p class="admin-area-state" aria-live="polite">
              {draft.area.mode === 'clear'
                ? t('admin.units.area_cleared')
                : reading?.ok
                  ? t('admin.units.area_new', { summary: areaSummary(reading.geometry) })
                  : t('admin.units.area_current', { summary: areaSummary(stored) })}
            </p>
            <div class="admin-area-tools">
              <label class="button button--quiet admin-file">
                {t('admin.units.upload')}
                <input
                  type="file"
                  accept=".geojson,.json,application/geo+json,application/json"
                  class="visually-hidden"
                  onChange={onFile}
                  aria-label={t('admin.units.upload')}
                />
              </label>
              {stored && draft.area.mode === 'keep' && (
                <>
                  <button type="button" class="button button--quiet" onClick={() => set('area', { mode: 'new', text: JSON.stringify(stored, null, 1) })}>
                    {t('admin.units.edit_area')}
                  </button>
                  <button type="button" class="button button--quiet" onClick={() => downloadGeoJson(stored, `${(unit?.name_en ?? 'unit').replace(/[^\w.-]+/g, '-')}.geojson`)}>
                    {t('admin.units.download_area')}
                  </button>
                </>
              )}
              {stored && draft.area.mode !== 'clear' && (
                <button type="button" class="button button--quiet" onClick={() => set('area', { mode: 'clear' })}>
                  {t('admin.units.clear_area')}
                </button>
              )}
              {draft.area.mode !== 'keep' && (
                <button type="button" class="button button--quiet" onClick={() => set('area', { mode: 'keep' })}>
                  {t('admin.units.keep_area')}
                </button>
              )}
            </div>
            <Field
              id={`${id}-geojson`}
              label={t('admin.units.geojson')}
              hint={draft.area.mode === 'new' && draft.area.file ? t('admin.units.from_file', { name: draft.area.file }) : undefined}
              error={err('jurisdiction')}
            >
              {(a11y) => (
                <textarea
                  {...a11y}
                  ref={geojsonField}
                  class="admin-geojson"
                  rows={8}
                  spellcheck={false}
                  placeholder='{"type": "Feature", "geometry": {"type": "Polygon", …}}'
                  value={draft.area.mode === 'new' ? draft.area.text : ''}
                  onInput={(e) => {
                    const text = (e.currentTarget as HTMLTextAreaElement).value;
                    set('area', text.trim() === '' ? { mode: 'keep' } : { mode: 'new', text });
                  }}
                />
              )}
            </Field>
          </div>
          <div class="admin-area__map">
            <ConsoleMap
              label={t('admin.units.map_label', { summary: areaSummary(shownGeometry) })}
              height="340px"
              outlines={outlines}
              points={points}
              onPointClick={() => geojsonField.current?.focus()}
            />
            {reading?.ok && stored && <p class="admin-field__hint">{t('admin.units.map_legend')}</p>}
          </div>
        </div>
      </fieldset>

      <fieldset class="admin-fieldset">
        <legend>{t('admin.units.webhook')}</legend>
        <TextField
          id={`${id}-webhook-url`}
          label={t('admin.units.webhook_url')}
          value={draft.webhook_url}
          onValue={(v) => set('webhook_url', v)}
          type="url"
          inputMode="url"
          autocomplete="off"
          spellcheck={false}
          hint={t('admin.units.webhook_hint')}
          error={err('webhook_url')}
        />
        {draft.secret.mode === 'replace' ? (
          <TextField
            id={`${id}-webhook-secret`}
            label={unit?.webhook_secret_set ? t('admin.units.secret_new') : t('admin.units.secret')}
            value={draft.secret.value}
            onValue={(v) => set('secret', { mode: 'replace', value: v })}
            type="password"
            autocomplete="new-password"
            hint={t('admin.units.secret_hint')}
            error={err('webhook_secret')}
          />
        ) : (
          <div class="admin-secret">
            <span id={`${id}-secret-state`}>
              {draft.secret.mode === 'keep' ? t('admin.units.secret_set') : t('admin.units.secret_removed')}
            </span>
            <button type="button" class="button button--quiet" onClick={() => set('secret', { mode: 'replace', value: '' })}>
              {t('admin.units.secret_replace')}
            </button>
            {draft.secret.mode === 'keep' && (
              <button
                type="button"
                class="button button--quiet"
                onClick={() => {
                  set('secret', { mode: 'remove' });
                  set('webhook_url', '');
                }}
              >
                {t('admin.units.secret_remove')}
              </button>
            )}
            {issues.webhook_secret && (
              <p class="admin-field__error" id={`${id}-webhook-secret-error`}>
                {err('webhook_secret')}
              </p>
            )}
          </div>
        )}
        {unit?.webhook_secret_set && draft.secret.mode !== 'keep' && (
          <button type="button" class="button button--quiet" onClick={() => set('secret', { mode: 'keep' })}>
            {t('admin.units.secret_keep')}
          </button>
        )}
      </fieldset>

      {unit && (
        <div class="admin-check admin-check--block">
          <input id={`${id}-disabled`} type="checkbox" checked={draft.disabled} onChange={(e) => set('disabled', (e.currentTarget as HTMLInputElement).checked)} />
          <label for={`${id}-disabled`}>{t('admin.units.disable')}</label>
        </div>
      )}

      <div class="admin-actions">
        <button type="submit" class="button" disabled={busy}>
          {busy ? t('admin.saving') : unit ? t('admin.save') : t('admin.units.create')}
        </button>
        <span role="status" class="admin-saved">
          {saved ? t('admin.saved') : ''}
        </span>
      </div>
    </form>
  );
}
