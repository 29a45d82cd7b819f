// Categories, reject reasons and outcomes: words in both languages (labels
// for staff, texts reporters read), order, the points an outcome is worth,
// retiring and restoring. One editor for the three, told which fields each
// has by the API's schemas.

import { useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ListDetail } from '../../ListDetail';
import { useConsole } from '../../state';
import type { ConsoleKey } from '../../i18n/keys';
import { ProblemMessage } from '../../../shared/ui/ProblemMessage';
import { call, type Problem } from '../../../shared/api/problem';
import type { Api } from '../../../shared/api/client';
import type { Schemas } from '../../../shared/api/types';
import type { SectionProps } from '../AdminPage';
import { useLoad } from '../data';
import { callDetailed, placeProblem, quotedField, type Issues } from '../problems';
import { Badge, focusFirstIssue, TextArea, TextField, useIssueText } from '../ui';

const ALL_FIELDS = ['code', 'label_zh', 'label_en', 'public_zh', 'public_en', 'points', 'position', 'retired'] as const;
type F = (typeof ALL_FIELDS)[number];

interface Row {
  code: string;
  label_zh: string;
  label_en: string;
  public_zh?: string;
  public_en?: string;
  points?: number;
  position?: number;
  retired: boolean;
}

type Changes = Partial<Omit<Row, 'code'>>;

interface Kind {
  id: 'categories' | 'reject-reasons' | 'outcomes';
  heading: ConsoleKey;
  newLabel: ConsoleKey;
  pick: ConsoleKey;
  /** Fields the create form has. */
  create: readonly F[];
  /** Fields an edit can change (the API's *Changes schema). */
  edit: readonly F[];
  list(api: Api): Promise<Row[]>;
  add(api: Api, row: Row): Promise<Row>;
  change(api: Api, code: string, changes: Changes): Promise<Row>;
  exists: string;
  invalidText?: string;
}

const CATEGORIES: Kind = {
  id: 'categories',
  heading: 'admin.categories.heading',
  newLabel: 'admin.categories.new',
  pick: 'admin.texts.pick',
  create: ['code', 'label_zh', 'label_en', 'position'],
  // CategoryChanges has no position: a category's place is set when it is made.
  edit: ['label_zh', 'label_en', 'retired'],
  list: (api) => call(api.GET('/v1/admin/categories')),
  add: (api, r) =>
    callDetailed(api.POST('/v1/admin/categories', { body: { code: r.code, label_zh: r.label_zh, label_en: r.label_en, position: r.position ?? 0 } })),
  change: (api, code, c) =>
    callDetailed(api.PATCH('/v1/admin/categories/{code}', { params: { path: { code } }, body: c as Schemas['CategoryChanges'] })),
  exists: 'category.exists',
};

const REASONS: Kind = {
  id: 'reject-reasons',
  heading: 'admin.reasons.heading',
  newLabel: 'admin.reasons.new',
  pick: 'admin.texts.pick',
  create: ['code', 'label_zh', 'label_en', 'public_zh', 'public_en', 'position'],
  edit: ['label_zh', 'label_en', 'public_zh', 'public_en', 'position', 'retired'],
  list: (api) => call(api.GET('/v1/admin/reject-reasons')),
  add: (api, r) =>
    callDetailed(
      api.POST('/v1/admin/reject-reasons', {
        body: {
          code: r.code,
          label_zh: r.label_zh,
          label_en: r.label_en,
          public_zh: r.public_zh ?? '',
          public_en: r.public_en ?? '',
          position: r.position ?? 0,
        },
      }),
    ),
  change: (api, code, c) =>
    callDetailed(api.PATCH('/v1/admin/reject-reasons/{code}', { params: { path: { code } }, body: c as Schemas['RejectReasonChanges'] })),
  exists: 'reject_reason.exists',
  invalidText: 'reject_reason.invalid_text',
};

const OUTCOMES: Kind = {
  id: 'outcomes',
  heading: 'admin.outcomes.heading',
  newLabel: 'admin.outcomes.new',
  pick: 'admin.texts.pick',
  create: ['code', 'label_zh', 'label_en', 'public_zh', 'public_en', 'points', 'position'],
  edit: ['label_zh', 'label_en', 'public_zh', 'public_en', 'points', 'position', 'retired'],
  list: (api) => call(api.GET('/v1/admin/outcomes')),
  add: (api, r) =>
    callDetailed(
      api.POST('/v1/admin/outcomes', {
        body: {
          code: r.code,
          label_zh: r.label_zh,
          label_en: r.label_en,
          public_zh: r.public_zh ?? '',
          public_en: r.public_en ?? '',
          points: r.points ?? 0,
          position: r.position ?? 0,
        },
      }),
    ),
  change: (api, code, c) =>
    callDetailed(api.PATCH('/v1/admin/outcomes/{code}', { params: { path: { code } }, body: c as Schemas['OutcomeChanges'] })),
  exists: 'outcome.exists',
  invalidText: 'outcome.invalid_text',
};

export const CategoriesSection = (p: SectionProps) => <TextsSection kind={CATEGORIES} {...p} />;
export const RejectReasonsSection = (p: SectionProps) => <TextsSection kind={REASONS} {...p} />;
export const OutcomesSection = (p: SectionProps) => <TextsSection kind={OUTCOMES} {...p} />;

function sorted(rows: Row[]): Row[] {
  // The API answers in display order; a saved change may move a row.
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.position ?? a.i) - (b.r.position ?? b.i) || a.i - b.i)
    .map((x) => x.r);
}

function TextsSection({ kind, sub }: SectionProps & { kind: Kind }) {
  const { i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const { route } = useLocation();
  const rows = useLoad(kind.list, [kind.id]);
  const open = decodeURIComponent(sub.split('/')[0] ?? '');
  const base = `/console/admin/${kind.id}`;
  const row = rows.data?.find((r) => r.code === open);
  const [createdCode, setCreatedCode] = useState<string | undefined>(undefined);

  const list = (
    <>
      <div class="admin-list__head">
        <h1 class="admin-list__title">{t(kind.heading)}</h1>
        <a class="button" href={`${base}/_new`}>
          {t(kind.newLabel)}
        </a>
      </div>
      {rows.problem && <ProblemMessage problem={rows.problem} onRetry={rows.reload} />}
      {!rows.data && !rows.problem && <p class="admin-empty">{t('state.loading')}</p>}
      <ul class="admin-rows" aria-label={t(kind.heading)}>
        {sorted(rows.data ?? []).map((r) => (
          <li key={r.code}>
            <a class="admin-row" href={`${base}/${encodeURIComponent(r.code)}`} aria-current={r.code === open ? 'true' : undefined}>
              <span class="admin-row__main">
                <span class="admin-row__title">{lang === 'zh-CN' ? r.label_zh : r.label_en}</span>
                <span class="admin-row__meta">
                  <code>{r.code}</code>
                  {r.points !== undefined && ` · ${t(r.points === 1 ? 'admin.outcomes.points_one' : 'admin.outcomes.points_n', { n: r.points })}`}
                </span>
              </span>
              {r.retired && <Badge tone="muted">{t('admin.retired')}</Badge>}
            </a>
          </li>
        ))}
      </ul>
    </>
  );

  let item;
  // Codes start with a letter, so `_new` is never one.
  if (open === '_new') {
    item = (
      <TextEditor
        key="new"
        kind={kind}
        backHref={base}
        onSaved={(r) => {
          rows.set((l) => [...l, r]);
          setCreatedCode(r.code);
          route(`${base}/${encodeURIComponent(r.code)}`, true);
        }}
      />
    );
  } else if (row) {
    item = (
      <TextEditor
        key={row.code}
        kind={kind}
        row={row}
        backHref={base}
        created={row.code === createdCode}
        onSaved={(r) => rows.set((l) => l.map((x) => (x.code === r.code ? r : x)))}
      />
    );
  } else if (open && rows.data) {
    item = (
      <div class="page-message">
        <p>{t('error.not_found')}</p>
      </div>
    );
  } else {
    item = (
      <div class="admin-placeholder">
        <p>{t(kind.pick)}</p>
      </div>
    );
  }
  return <ListDetail listLabel={t(kind.heading)} itemLabel={t('admin.texts.editor')} itemOpen={!!open} list={list} item={item} />;
}

interface Draft {
  code: string;
  label_zh: string;
  label_en: string;
  public_zh: string;
  public_en: string;
  points: string;
  position: string;
  retired: boolean;
}

const CODE = /^[a-z][a-z0-9_]{1,39}$/;
const INT = /^-?\d{1,9}$/;

function TextEditor({
  kind,
  row,
  backHref,
  onSaved,
  created = false,
}: {
  kind: Kind;
  row?: Row;
  backHref: string;
  onSaved: (r: Row) => void;
  /** Just made: the editor opens saying so. */
  created?: boolean;
}) {
  const { i18n } = useConsole();
  const { api } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const issueText = useIssueText();
  const fields = row ? kind.edit : kind.create;
  const has = (f: F) => fields.includes(f);
  const [d, setD] = useState<Draft>(() => ({
    code: row?.code ?? '',
    label_zh: row?.label_zh ?? '',
    label_en: row?.label_en ?? '',
    public_zh: row?.public_zh ?? '',
    public_en: row?.public_en ?? '',
    points: String(row?.points ?? 0),
    position: String(row?.position ?? 0),
    retired: row?.retired ?? false,
  }));
  const [issues, setIssues] = useState<Issues<F>>({});
  const [general, setGeneral] = useState<Problem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(created);
  const form = useRef<HTMLFormElement>(null);
  const id = `${kind.id}-${row?.code ?? 'new'}`;

  function set<K extends keyof Draft>(k: K, v: Draft[K]) {
    setD((x) => ({ ...x, [k]: v }));
    setSaved(false);
    if (issues[k as F]) setIssues((i) => ({ ...i, [k]: undefined }));
  }

  function check(): Issues<F> {
    const out: Issues<F> = {};
    if (has('code') && !CODE.test(d.code)) out.code = { key: 'admin.invalid.code' };
    for (const f of ['label_zh', 'label_en'] as const) if (has(f) && !/\S/.test(d[f])) out[f] = { key: 'admin.invalid.label' };
    for (const f of ['public_zh', 'public_en'] as const) if (has(f) && !/\S/.test(d[f])) out[f] = { key: 'admin.invalid.public_text' };
    if (has('points') && (!/^\d{1,5}$/.test(d.points.trim()) || Number(d.points) > 10000)) out.points = { key: 'admin.invalid.points' };
    if (has('position') && !INT.test(d.position.trim())) out.position = { key: 'admin.invalid.position' };
    return out;
  }

  async function submit(e: Event) {
    e.preventDefault();
    setGeneral(undefined);
    const found = check();
    if (Object.keys(found).length) {
      setIssues(found);
      requestAnimationFrame(() => focusFirstIssue(form.current));
      return;
    }
    setIssues({});
    setBusy(true);
    try {
      let result: Row;
      if (!row) {
        result = await kind.add(api, {
          code: d.code,
          label_zh: d.label_zh.trim(),
          label_en: d.label_en.trim(),
          public_zh: d.public_zh.trim(),
          public_en: d.public_en.trim(),
          points: Number(d.points),
          position: Number(d.position),
          retired: false,
        });
      } else {
        const c: Changes = {};
        if (has('label_zh') && d.label_zh.trim() !== row.label_zh) c.label_zh = d.label_zh.trim();
        if (has('label_en') && d.label_en.trim() !== row.label_en) c.label_en = d.label_en.trim();
        if (has('public_zh') && d.public_zh.trim() !== row.public_zh) c.public_zh = d.public_zh.trim();
        if (has('public_en') && d.public_en.trim() !== row.public_en) c.public_en = d.public_en.trim();
        if (has('points') && Number(d.points) !== row.points) c.points = Number(d.points);
        if (has('position') && Number(d.position) !== row.position) c.position = Number(d.position);
        if (has('retired') && d.retired !== row.retired) c.retired = d.retired;
        if (Object.keys(c).length === 0) {
          setSaved(true);
          return;
        }
        result = await kind.change(api, row.code, c);
      }
      setSaved(true);
      onSaved(result);
    } catch (err) {
      const placed = placeProblem(err, {
        fields: fields,
        codes: {
          [kind.exists]: 'code',
          ...(kind.invalidText ? { [kind.invalidText]: (detail: string) => quotedField(detail) as F | undefined } : {}),
        },
      });
      setIssues(placed.issues);
      setGeneral(placed.general);
      requestAnimationFrame(() => focusFirstIssue(form.current));
    } finally {
      setBusy(false);
    }
  }

  const err = (f: F) => issueText(issues[f]);
  return (
    <form ref={form} class="admin-editor" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
      <div class="admin-editor__head">
        <a class="admin-back" href={backHref}>
          {t('action.back')}
        </a>
        <h2 id={`${id}-heading`}>{row ? (lang === 'zh-CN' ? row.label_zh : row.label_en) : t(kind.newLabel)}</h2>
        {row?.retired && <Badge tone="muted">{t('admin.retired')}</Badge>}
      </div>
      {general && <ProblemMessage problem={general} />}
      {row ? (
        <p class="admin-field__hint admin-editor__code">
          {t('admin.texts.code')}: <code>{row.code}</code>
        </p>
      ) : (
        <TextField
          id={`${id}-code`}
          label={t('admin.texts.code')}
          value={d.code}
          onValue={(v) => set('code', v)}
          autocapitalize="none"
          spellcheck={false}
          maxLength={40}
          hint={t('admin.texts.code_hint')}
          error={err('code')}
        />
      )}
      <div class="admin-grid">
        {has('label_zh') && (
          <TextField id={`${id}-label-zh`} label={t('admin.texts.label_zh')} value={d.label_zh} onValue={(v) => set('label_zh', v)} maxLength={100} lang="zh-CN" error={err('label_zh')} />
        )}
        {has('label_en') && (
          <TextField id={`${id}-label-en`} label={t('admin.texts.label_en')} value={d.label_en} onValue={(v) => set('label_en', v)} maxLength={100} lang="en" error={err('label_en')} />
        )}
      </div>
      {has('public_zh') && (
        <TextArea id={`${id}-public-zh`} label={t('admin.texts.public_zh')} value={d.public_zh} onValue={(v) => set('public_zh', v)} rows={3} maxLength={500} hint={t('admin.texts.public_hint')} error={err('public_zh')} />
      )}
      {has('public_en') && (
        <TextArea id={`${id}-public-en`} label={t('admin.texts.public_en')} value={d.public_en} onValue={(v) => set('public_en', v)} rows={3} maxLength={500} error={err('public_en')} />
      )}
      <div class="admin-grid">
        {has('points') && (
          <TextField
            id={`${id}-points`}
            label={t('admin.outcomes.points')}
            value={d.points}
            onValue={(v) => set('points', v)}
            inputMode="numeric"
            hint={row ? t('admin.outcomes.points_hint') : undefined}
            error={err('points')}
          />
        )}
        {has('position') && (
          <TextField
            id={`${id}-position`}
            label={t('admin.texts.position')}
            value={d.position}
            onValue={(v) => set('position', v)}
            inputMode="numeric"
            hint={t('admin.texts.position_hint')}
            error={err('position')}
          />
        )}
      </div>
      {has('retired') && (
        <div class="admin-check admin-check--block">
          <input id={`${id}-retired`} type="checkbox" checked={d.retired} onChange={(e) => set('retired', (e.currentTarget as HTMLInputElement).checked)} aria-describedby={`${id}-retired-hint`} />
          <label for={`${id}-retired`}>{t('admin.texts.retire')}</label>
          <p class="admin-field__hint" id={`${id}-retired-hint`}>
            {t(`admin.texts.retire_hint.${kind.id}`)}
          </p>
        </div>
      )}
      <div class="admin-actions">
        <button type="submit" class="button" disabled={busy}>
          {busy ? t('admin.saving') : row ? t('admin.save') : t('admin.create')}
        </button>
        <span role="status" class="admin-saved">
          {saved ? t('admin.saved') : ''}
        </span>
      </div>
    </form>
  );
}
