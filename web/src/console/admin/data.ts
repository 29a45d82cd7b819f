// What several admin sections read: every unit, every category, every staff
// account (for names in pickers and in the audit log). A city has tens of
// units and at most a few hundred staff, so these are read whole, page by
// page.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import type { Api } from '../../shared/api/client';
import type { Lang } from '../../shared/i18n/i18n';
import type { Schemas } from '../../shared/api/types';
import { useConsole } from '../state';

export type Unit = Schemas['UnitView'];
export type Category = Schemas['Category'];
export type User = Schemas['UserView'];
export type StaffRole = Schemas['StaffRoleName'];

export const STAFF_ROLES: readonly StaffRole[] = ['moderator', 'unit_officer', 'admin'];
export const UNIT_KINDS: readonly Schemas['UnitKind'][] = ['police_station', 'command_center', 'department'];

export interface Loaded<T> {
  data: T | undefined;
  problem: Problem | undefined;
  reload: () => void;
  /** Replaces the data in place (after a save), without a reload. */
  set: (update: (d: T) => T) => void;
}

export function useLoad<T>(load: (api: Api) => Promise<T>, deps: readonly unknown[] = []): Loaded<T> {
  const { api } = useConsole();
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setProblem(undefined);
    load(api)
      .then((d) => live && setData(d))
      .catch((e: unknown) => live && setProblem(toProblem(e)));
    return () => {
      live = false;
    };
  }, [tick, ...deps]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const set = useCallback((update: (d: T) => T) => setData((d) => (d === undefined ? d : update(d))), []);
  return { data, problem, reload, set };
}

const MAX_PAGES = 50;

export async function allUnits(api: Api): Promise<Unit[]> {
  const out: Unit[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await call(api.GET('/v1/admin/units', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
    out.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

export async function allCategories(api: Api): Promise<Category[]> {
  return call(api.GET('/v1/admin/categories'));
}

async function allOfRole(api: Api, role: StaffRole): Promise<User[]> {
  const out: User[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await call(api.GET('/v1/admin/users', { params: { query: { role, limit: 100, ...(cursor ? { cursor } : {}) } } }));
    out.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

/**
 * Every staff account, in creation order. The API lists one role at a time
 * or every account (citizens too, who far outnumber staff), so the three
 * staff roles are read and merged.
 */
export async function allStaff(api: Api): Promise<User[]> {
  const lists = await Promise.all(STAFF_ROLES.map((r) => allOfRole(api, r)));
  return lists.flat().sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

export function unitName(u: Pick<Unit, 'name_zh' | 'name_en'>, lang: Lang): string {
  return lang === 'zh-CN' ? u.name_zh : u.name_en;
}

export function categoryLabel(c: Pick<Category, 'label_zh' | 'label_en'>, lang: Lang): string {
  return lang === 'zh-CN' ? c.label_zh : c.label_en;
}

/** A short id to show in a row (the full one is in the title and the detail). */
export function shortId(id: string): string {
  return id.length > 12 ? `…${id.slice(-8)}` : id;
}
