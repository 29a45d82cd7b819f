// What the leads desk knows of units. Moderators read units only through a
// lead's routing suggestions (names, kind, reason, area); the outline of a
// unit's jurisdiction is readable by admins only (`GET /v1/admin/units/{id}`),
// so for moderators the map shows the lead's points without outlines.
import { signal } from '@preact/signals';
import { call } from '../../shared/api/problem';
import type { Api } from '../../shared/api/client';
import type { Schemas } from '../../shared/api/types';
import type { Lang } from '../../shared/i18n/i18n';

export interface KnownUnit {
  id: string;
  name_zh: string;
  name_en: string;
  kind: Schemas['UnitKind'];
  jurisdiction?: Schemas['Jurisdiction'];
}

export const units = signal<Record<string, KnownUnit>>({});

export function rememberUnit(u: KnownUnit) {
  const old = units.value[u.id];
  if (old && old.name_zh === u.name_zh && old.name_en === u.name_en && (old.jurisdiction || !u.jurisdiction)) return;
  units.value = { ...units.value, [u.id]: { ...old, ...u } };
}

export function unitName(id: string, lang: Lang, fallback: string): string {
  const u = units.value[id];
  if (!u) return fallback;
  return lang === 'zh-CN' ? u.name_zh : u.name_en;
}

const asked = new Set<string>();
/** Admins only: the unit in full, with its jurisdiction. */
export function loadUnitAsAdmin(api: Api, id: string) {
  if (asked.has(id)) return;
  asked.add(id);
  void call(api.GET('/v1/admin/units/{id}', { params: { path: { id } } }))
    .then((u) =>
      rememberUnit({ id: u.id, name_zh: u.name_zh, name_en: u.name_en, kind: u.kind, ...(u.jurisdiction ? { jurisdiction: u.jurisdiction } : {}) }),
    )
    .catch(() => asked.delete(id));
}
