// Small things said the same way everywhere on the desk: a state's label,
// who someone is ("我" or "另一位审核员"), a claim's holder and time left.
import type { I18n, Lang } from '../../shared/i18n/i18n';
import { formatClock, formatDuration } from '../../shared/format/time';
import type { ConsoleKey } from '../i18n/keys';
import type { Schemas } from '../../shared/api/types';

type T = I18n<ConsoleKey>['t'];

export function statusLabel(t: T, s: Schemas['TipStatus']): string {
  return t(`tip.status.${s}` as ConsoleKey);
}

export function leadStatusLabel(t: T, s: Schemas['LeadStatus']): string {
  return t(`leads.status.${s}` as ConsoleKey);
}

/**
 * A staff account as the desk can name it. The API gives moderators only
 * account ids (no names), so another moderator is "另一位审核员 (…1a2b)".
 */
export function who(t: T, id: string | undefined, me: string): string {
  if (!id) return t('tip.who.reporter');
  if (id === me) return t('tip.who.me');
  return t('tip.who.other', { id: id.slice(-4) });
}

/** "我处理中 · 还剩 12 分钟" / "另一位审核员 (…1a2b) 处理中 · 至 20:05". */
export function claimText(
  t: T,
  lang: Lang,
  claim: { claimed_by?: string; claim_expires_at?: string },
  me: string,
  now: number,
): string | null {
  if (!claim.claimed_by || !claim.claim_expires_at) return null;
  const until = Date.parse(claim.claim_expires_at);
  if (until <= now) return null;
  const left = formatDuration((until - now) / 1000, lang);
  if (claim.claimed_by === me) return t('tip.claim.mine', { left });
  return t('tip.claim.other', { who: who(t, claim.claimed_by, me), until: formatClock(until, lang), left });
}

export function contactKindLabel(t: T, k: Schemas['ContactKindName']): string {
  return t(`tip.contact.kind.${k}` as ConsoleKey);
}

/** How a contact is written in links: `/console/contacts?contact=phone:+86…`. */
export function contactHref(c: { kind: string; value: string }): string {
  return `/console/contacts?${new URLSearchParams({ contact: `${c.kind}:${c.value}` })}`;
}

export function queueHrefForContact(c: { kind: string; value: string }): string {
  return `/console/queue?${new URLSearchParams({ contact: `${c.kind}:${c.value}` })}`;
}
