import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ListDetail } from '../../ListDetail';
import { useConsole } from '../../state';
import { ProblemMessage } from '../../../shared/ui/ProblemMessage';
import { call, toProblem, type Problem } from '../../../shared/api/problem';
import { formatDateTime } from '../../../shared/format/time';
import type { Role } from '../../../shared/api/types';
import type { SectionProps } from '../AdminPage';
import { allStaff, allUnits, STAFF_ROLES, unitName, useLoad, type StaffRole, type Unit, type User } from '../data';
import { callDetailed, placeProblem, type Issues } from '../problems';
import { Badge, focusFirstIssue, MoreButton, SelectField, TextField, useIssueText } from '../ui';

/** `staff`: every staff account (the three roles read whole); a role: that role's keyset pages. */
const ROLE_FILTERS = ['staff', 'moderator', 'unit_officer', 'admin', 'citizen'] as const;
type RoleFilter = (typeof ROLE_FILTERS)[number];

interface Filters {
  role: RoleFilter;
  unit: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeFilters(q: Record<string, string | undefined>): Filters {
  const role = (ROLE_FILTERS as readonly string[]).includes(q.role ?? '') ? (q.role as RoleFilter) : 'staff';
  const unit = UUID.test(q.unit ?? '') ? q.unit! : '';
  return { role: unit ? 'unit_officer' : role, unit };
}

function encodeFilters(f: Filters): string {
  const p = new URLSearchParams();
  if (f.role !== 'staff' && !f.unit) p.set('role', f.role);
  if (f.unit) p.set('unit', f.unit);
  const s = p.toString();
  return s ? `?${s}` : '';
}

interface ListState {
  items: User[];
  cursor?: string;
  busy: boolean;
  problem?: Problem;
}

function useAccounts(filters: Filters) {
  const { api } = useConsole();
  const [state, setState] = useState<ListState>({ items: [], busy: true });
  const gen = useRef(0);

  async function page(cursor: string | undefined, append: boolean) {
    const g = ++gen.current;
    setState((s) => ({ ...s, busy: true, problem: undefined, ...(append ? {} : { items: [] }) }));
    try {
      if (filters.role === 'staff') {
        const items = await allStaff(api);
        if (g === gen.current) setState({ items, busy: false });
        return;
      }
      const query = {
        limit: 50,
        role: filters.role as Role,
        ...(filters.unit ? { unit_id: filters.unit } : {}),
        ...(cursor ? { cursor } : {}),
      };
      const res = await call(api.GET('/v1/admin/users', { params: { query } }));
      if (g !== gen.current) return;
      setState((s) => ({
        items: append ? [...s.items, ...res.items] : res.items,
        busy: false,
        ...(res.next_cursor ? { cursor: res.next_cursor } : {}),
      }));
    } catch (e) {
      if (g === gen.current) setState((s) => ({ ...s, busy: false, problem: toProblem(e) }));
    }
  }

  useEffect(() => {
    void page(undefined, false);
  }, [filters.role, filters.unit]);

  return {
    ...state,
    more: () => void page(state.cursor, true),
    reload: () => void page(undefined, false),
    replace: (u: User) => setState((s) => ({ ...s, items: s.items.map((x) => (x.id === u.id ? u : x)) })),
    add: (u: User) => setState((s) => ({ ...s, items: [...s.items, u] })),
  };
}

export function StaffSection({ sub }: SectionProps) {
  const { i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const { query, route } = useLocation();
  const filters = decodeFilters(query);
  const accounts = useAccounts(filters);
  const units = useLoad(allUnits);
  const open = sub.split('/')[0] ?? '';
  const keep = encodeFilters(filters);
  const unitOf = (id: string | undefined) => units.data?.find((u) => u.id === id);

  const list = (
    <>
      <div class="admin-list__head">
        <h1 class="admin-list__title">{t('admin.staff.heading')}</h1>
        <a class="button" href={`/console/admin/staff/new${keep}`}>
          {t('admin.staff.new')}
        </a>
      </div>
      <div class="admin-filters" role="search" aria-label={t('admin.filters')}>
        <div class="field">
          <label for="staff-role">{t('admin.staff.role')}</label>
          <select
            id="staff-role"
            value={filters.role}
            onChange={(e) => route(`/console/admin/staff${encodeFilters({ role: (e.currentTarget as HTMLSelectElement).value as RoleFilter, unit: '' })}`, true)}
          >
            {ROLE_FILTERS.map((r) => (
              <option key={r} value={r}>
                {r === 'staff' ? t('admin.staff.all_staff') : t(`role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="staff-unit">{t('admin.staff.unit')}</label>
          <select
            id="staff-unit"
            value={filters.unit}
            onChange={(e) => {
              const unit = (e.currentTarget as HTMLSelectElement).value;
              route(`/console/admin/staff${encodeFilters({ role: unit ? 'unit_officer' : filters.role, unit })}`, true);
            }}
          >
            <option value="">{t('admin.all')}</option>
            {(units.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {unitName(u, lang)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {accounts.problem && <ProblemMessage problem={accounts.problem} onRetry={accounts.reload} />}
      {!accounts.busy && accounts.items.length === 0 && !accounts.problem && <p class="admin-empty">{t('admin.staff.none')}</p>}
      <ul class="admin-rows" aria-label={t('admin.staff.heading')}>
        {accounts.items.map((u) => {
          const unit = unitOf(u.unit_id);
          return (
            <li key={u.id}>
              <a class="admin-row" href={`/console/admin/staff/${u.id}${keep}`} aria-current={u.id === open ? 'true' : undefined}>
                <span class="admin-row__main">
                  <span class="admin-row__title">{u.username ?? u.phone_masked ?? u.id}</span>
                  <span class="admin-row__meta">
                    {t(`role.${u.role}`)}
                    {unit ? ` · ${unitName(unit, lang)}` : ''}
                  </span>
                </span>
                {u.disabled && <Badge tone="muted">{t('admin.disabled')}</Badge>}
              </a>
            </li>
          );
        })}
      </ul>
      {accounts.cursor && <MoreButton busy={accounts.busy} onMore={accounts.more} />}
      {accounts.busy && accounts.items.length === 0 && <p class="admin-empty">{t('state.loading')}</p>}
    </>
  );

  const user = accounts.items.find((u) => u.id === open);
  let item;
  if (open === 'new') {
    item = (
      <NewStaffForm
        units={units.data ?? []}
        backHref={`/console/admin/staff${keep}`}
        onCreated={(u) => {
          accounts.add(u);
          route(`/console/admin/staff/${u.id}${keep}`, true);
        }}
      />
    );
  } else if (user) {
    item = <StaffDetail key={user.id} user={user} units={units.data ?? []} onChanged={accounts.replace} backHref={`/console/admin/staff${keep}`} />;
  } else if (open) {
    item = <OpenById id={open} units={units.data ?? []} onChanged={accounts.replace} backHref={`/console/admin/staff${keep}`} />;
  } else {
    item = (
      <div class="admin-placeholder">
        <p>{t('admin.staff.pick')}</p>
      </div>
    );
  }
  return <ListDetail listLabel={t('admin.staff.heading')} itemLabel={t('admin.staff.detail')} itemOpen={!!open} list={list} item={item} />;
}

/** An account opened by address that the list does not hold (another filter, a later page): found among the staff. */
function OpenById({ id, units, onChanged, backHref }: { id: string; units: Unit[]; onChanged: (u: User) => void; backHref: string }) {
  const { t } = useConsole().i18n;
  const staff = useLoad(allStaff, [id]);
  const user = staff.data?.find((u) => u.id === id);
  if (staff.problem) return <ProblemMessage problem={staff.problem} onRetry={staff.reload} />;
  if (!staff.data) return <p class="admin-empty">{t('state.loading')}</p>;
  if (!user) return <div class="page-message"><p>{t('error.not_found')}</p></div>;
  return (
    <StaffDetail
      user={user}
      units={units}
      onChanged={(u) => {
        staff.set((l) => l.map((x) => (x.id === u.id ? u : x)));
        onChanged(u);
      }}
      backHref={backHref}
    />
  );
}

const NEW_FIELDS = ['username', 'role', 'unit_id', 'password'] as const;
type NF = (typeof NEW_FIELDS)[number];
const NEW_PLACING = {
  fields: NEW_FIELDS,
  codes: {
    'user.username_taken': 'username',
    'user.invalid_username': 'username',
    'user.weak_password': 'password',
    'user.invalid_role': 'role',
    'user.invalid_unit': 'unit_id',
  } as Record<string, NF>,
};

const USERNAME = /^[A-Za-z][A-Za-z0-9._-]{2,63}$/;

/** A password to hand over: 16 characters from an alphabet without look-alikes. */
export function makePassword(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = random(32);
  let out = '';
  for (const b of bytes) {
    // Rejection sampling keeps every character equally likely.
    if (b >= Math.floor(256 / alphabet.length) * alphabet.length) continue;
    out += alphabet[b % alphabet.length];
    if (out.length === 16) break;
  }
  return out.length === 16 ? out : makePassword(random);
}

function NewStaffForm({ units, backHref, onCreated }: { units: Unit[]; backHref: string; onCreated: (u: User) => void }) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const issueText = useIssueText();
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<StaffRole>('unit_officer');
  const [unitId, setUnitId] = useState('');
  const [password, setPassword] = useState('');
  const [issues, setIssues] = useState<Issues<NF>>({});
  const [general, setGeneral] = useState<Problem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const active = units.filter((u) => !u.disabled);

  function clear(f: NF) {
    if (issues[f]) setIssues((i) => ({ ...i, [f]: undefined }));
  }

  async function submit(e: Event) {
    e.preventDefault();
    setGeneral(undefined);
    const found: Issues<NF> = {};
    if (!USERNAME.test(username.trim())) found.username = { key: 'admin.invalid.username' };
    if (password.length < 8 || password.length > 128) found.password = { key: 'admin.invalid.password' };
    if (role === 'unit_officer' && !unitId) found.unit_id = { key: 'admin.invalid.unit_id' };
    if (Object.keys(found).length) {
      setIssues(found);
      requestAnimationFrame(() => focusFirstIssue(form.current));
      return;
    }
    setBusy(true);
    try {
      const u = await callDetailed(
        api.POST('/v1/admin/users', {
          body: { username: username.trim(), role, password, ...(role === 'unit_officer' ? { unit_id: unitId } : {}) },
        }),
      );
      onCreated(u);
    } catch (err) {
      const placed = placeProblem(err, NEW_PLACING);
      setIssues(placed.issues);
      setGeneral(placed.general);
      requestAnimationFrame(() => focusFirstIssue(form.current));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={form} class="admin-editor" onSubmit={submit} noValidate aria-labelledby="new-staff-heading">
      <div class="admin-editor__head">
        <a class="admin-back" href={backHref}>
          {t('action.back')}
        </a>
        <h2 id="new-staff-heading">{t('admin.staff.new')}</h2>
      </div>
      {general && <ProblemMessage problem={general} />}
      <TextField
        id="new-staff-username"
        label={t('admin.staff.username')}
        value={username}
        onValue={(v) => {
          setUsername(v);
          clear('username');
        }}
        autocomplete="off"
        autocapitalize="none"
        spellcheck={false}
        maxLength={64}
        hint={t('admin.staff.username_hint')}
        error={issueText(issues.username)}
      />
      <SelectField
        id="new-staff-role"
        label={t('admin.staff.role')}
        value={role}
        options={STAFF_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
        onValue={(v) => {
          setRole(v);
          clear('role');
          clear('unit_id');
        }}
        error={issueText(issues.role)}
      />
      {role === 'unit_officer' && (
        <SelectField
          id="new-staff-unit"
          label={t('admin.staff.unit')}
          value={unitId}
          options={[{ value: '', label: t('admin.staff.choose_unit') }, ...active.map((u) => ({ value: u.id, label: unitName(u, lang) }))]}
          onValue={(v) => {
            setUnitId(v);
            clear('unit_id');
          }}
          error={issueText(issues.unit_id)}
        />
      )}
      <div class="admin-password-row">
        <TextField
          id="new-staff-password"
          label={t('admin.staff.initial_password')}
          value={password}
          onValue={(v) => {
            setPassword(v);
            clear('password');
          }}
          type="text"
          autocomplete="new-password"
          autocapitalize="none"
          spellcheck={false}
          maxLength={128}
          hint={t('admin.staff.initial_password_hint')}
          error={issueText(issues.password)}
        />
        <button
          type="button"
          class="button button--quiet"
          onClick={() => {
            setPassword(makePassword());
            clear('password');
          }}
        >
          {t('admin.staff.generate')}
        </button>
      </div>
      <div class="admin-actions">
        <button type="submit" class="button" disabled={busy}>
          {busy ? t('admin.saving') : t('admin.staff.create')}
        </button>
      </div>
    </form>
  );
}

const EDIT_FIELDS = ['role', 'unit_id'] as const;
type EF = (typeof EDIT_FIELDS)[number];
const EDIT_PLACING = {
  fields: EDIT_FIELDS,
  codes: { 'user.invalid_role': 'role', 'user.invalid_unit': 'unit_id' } as Record<string, EF>,
};

function StaffDetail({ user, units, onChanged, backHref }: { user: User; units: Unit[]; onChanged: (u: User) => void; backHref: string }) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const issueText = useIssueText();
  const staff = user.role !== 'citizen';
  const [role, setRole] = useState<StaffRole>(staff ? (user.role as StaffRole) : 'moderator');
  const [unitId, setUnitId] = useState(user.unit_id ?? '');
  const [issues, setIssues] = useState<Issues<EF>>({});
  const [general, setGeneral] = useState<Problem | undefined>(undefined);
  const [busy, setBusy] = useState<'save' | 'disable' | 'reset' | null>(null);
  const [note, setNote] = useState('');
  const [newPassword, setNewPassword] = useState<string | undefined>(undefined);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const unit = units.find((u) => u.id === user.unit_id);
  const active = units.filter((u) => !u.disabled || u.id === user.unit_id);

  async function change(body: { role?: StaffRole; unit_id?: string | null; disabled?: boolean }, kind: 'save' | 'disable', done: string) {
    setBusy(kind);
    setGeneral(undefined);
    setNote('');
    try {
      const u = await callDetailed(api.PATCH('/v1/admin/users/{id}', { params: { path: { id: user.id } }, body }));
      onChanged(u);
      setNote(done);
    } catch (err) {
      const placed = placeProblem(err, EDIT_PLACING);
      setIssues(placed.issues);
      setGeneral(placed.general);
      requestAnimationFrame(() => focusFirstIssue(form.current));
    } finally {
      setBusy(null);
    }
  }

  function save(e: Event) {
    e.preventDefault();
    const body: { role?: StaffRole; unit_id?: string | null } = {};
    if (role !== user.role) body.role = role;
    const wantUnit = role === 'unit_officer' ? unitId : '';
    if (role === 'unit_officer' && !wantUnit) {
      setIssues({ unit_id: { key: 'admin.invalid.unit_id' } });
      requestAnimationFrame(() => focusFirstIssue(form.current));
      return;
    }
    if (wantUnit !== (user.unit_id ?? '')) body.unit_id = wantUnit || null;
    setIssues({});
    if (Object.keys(body).length === 0) {
      setNote(t('admin.saved'));
      return;
    }
    void change(body, 'save', t('admin.saved'));
  }

  async function reset() {
    setConfirming(false);
    setBusy('reset');
    setGeneral(undefined);
    setNote('');
    setCopied(false);
    try {
      const r = await call(api.POST('/v1/admin/users/{id}/password', { params: { path: { id: user.id } } }));
      setNewPassword(r.password);
    } catch (err) {
      setGeneral(toProblem(err));
    } finally {
      setBusy(null);
    }
  }

  async function copy() {
    if (!newPassword) return;
    try {
      await navigator.clipboard.writeText(newPassword);
      setCopied(true);
    } catch {
      // No clipboard (an insecure origin, a denied permission): select it for Ctrl+C.
      const el = document.getElementById(`${user.id}-new-password`);
      if (el) getSelection()?.selectAllChildren(el);
    }
  }

  return (
    <section class="admin-editor" aria-labelledby={`${user.id}-heading`}>
      <div class="admin-editor__head">
        <a class="admin-back" href={backHref}>
          {t('action.back')}
        </a>
        <h2 id={`${user.id}-heading`}>{user.username ?? user.phone_masked ?? user.id}</h2>
        {user.disabled ? <Badge tone="muted">{t('admin.disabled')}</Badge> : <Badge tone="ok">{t('admin.active')}</Badge>}
      </div>
      <dl class="admin-facts">
        <dt>{t('admin.staff.role')}</dt>
        <dd>{t(`role.${user.role}`)}</dd>
        {unit && (
          <>
            <dt>{t('admin.staff.unit')}</dt>
            <dd>{unitName(unit, lang)}</dd>
          </>
        )}
        <dt>{t('admin.created_at')}</dt>
        <dd>
          <time dateTime={user.created_at}>{formatDateTime(user.created_at, lang)}</time>
        </dd>
        <dt>{t('admin.updated_at')}</dt>
        <dd>
          <time dateTime={user.updated_at}>{formatDateTime(user.updated_at, lang)}</time>
        </dd>
      </dl>
      {general && <ProblemMessage problem={general} />}
      <p role="status" class="admin-saved">
        {note}
      </p>

      {newPassword && (
        <div class="admin-once" role="alert">
          <p class="admin-once__title">{t('admin.staff.new_password')}</p>
          <p class="admin-once__secret">
            <code id={`${user.id}-new-password`}>{newPassword}</code>
            <button type="button" class="button button--quiet" onClick={() => void copy()}>
              {copied ? t('admin.copied') : t('admin.copy')}
            </button>
          </p>
          <p>{t('admin.staff.new_password_warning')}</p>
          <button type="button" class="button button--quiet" onClick={() => setNewPassword(undefined)}>
            {t('admin.staff.password_done')}
          </button>
        </div>
      )}

      {staff && (
        <form ref={form} onSubmit={save} noValidate class="admin-subform" aria-labelledby={`${user.id}-change`}>
          <h3 id={`${user.id}-change`}>{t('admin.staff.change')}</h3>
          <SelectField
            id={`${user.id}-role`}
            label={t('admin.staff.role')}
            value={role}
            options={STAFF_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
            onValue={(v) => {
              setRole(v);
              setIssues({});
            }}
            error={issueText(issues.role)}
          />
          {role === 'unit_officer' && (
            <SelectField
              id={`${user.id}-unit`}
              label={t('admin.staff.unit')}
              value={unitId}
              options={[{ value: '', label: t('admin.staff.choose_unit') }, ...active.map((u) => ({ value: u.id, label: unitName(u, lang) }))]}
              onValue={(v) => {
                setUnitId(v);
                setIssues({});
              }}
              error={issueText(issues.unit_id)}
            />
          )}
          <p class="admin-field__hint">{t('admin.staff.change_hint')}</p>
          <button type="submit" class="button" disabled={busy !== null}>
            {busy === 'save' ? t('admin.saving') : t('admin.save')}
          </button>
        </form>
      )}

      <div class="admin-subform">
        <h3>{t('admin.staff.access')}</h3>
        <div class="admin-actions">
          <button
            type="button"
            class="button button--quiet"
            disabled={busy !== null}
            onClick={() =>
              void change({ disabled: !user.disabled }, 'disable', user.disabled ? t('admin.staff.enabled_note') : t('admin.staff.disabled_note'))
            }
          >
            {user.disabled ? t('admin.staff.enable') : t('admin.staff.disable')}
          </button>
          {staff && !confirming && (
            <button type="button" class="button button--quiet" disabled={busy !== null} onClick={() => setConfirming(true)}>
              {busy === 'reset' ? t('admin.saving') : t('admin.staff.reset')}
            </button>
          )}
        </div>
        {confirming && (
          <div class="notice admin-confirm" role="group" aria-labelledby={`${user.id}-reset-q`}>
            <p id={`${user.id}-reset-q`}>{t('admin.staff.reset_confirm', { name: user.username ?? '' })}</p>
            <div class="admin-actions">
              <button type="button" class="button" onClick={() => void reset()}>
                {t('admin.staff.reset_yes')}
              </button>
              <button type="button" class="button button--quiet" onClick={() => setConfirming(false)}>
                {t('admin.cancel')}
              </button>
            </div>
          </div>
        )}
      </div>
    </section>
  );
}
