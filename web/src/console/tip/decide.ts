// A moderator's decisions on a tip, each carrying the version seen. A tip
// not yet claimed by this moderator is claimed first (the claim's answer
// gives the version to decide with), so one key decides a waiting tip.
// Errors are thrown as ApiProblem: a lost race is 409 (`tip.claimed`,
// `tip.stale_version`, `tip.invalid_state`) and the caller re-reads the tip.
import { call } from '../../shared/api/problem';
import type { Api } from '../../shared/api/client';
import type { Schemas } from '../../shared/api/types';

export type TipState = Schemas['TipState'];

export type Decision =
  | { kind: 'verify'; leadId?: string; leadTitle?: string }
  | { kind: 'reject'; reason: string; note?: string }
  | { kind: 'ask'; question: string }
  | { kind: 'duplicate'; of: string };

export interface Decidable {
  id: string;
  version: number;
  status: Schemas['TipStatus'];
  claimed_by?: string;
}

export function claim(api: Api, id: string): Promise<TipState> {
  return call(api.POST('/v1/moderation/tips/{id}/claim', { params: { path: { id } } }));
}

export function release(api: Api, id: string): Promise<TipState> {
  return call(api.POST('/v1/moderation/tips/{id}/release', { params: { path: { id } } }));
}

/** The version to decide with: the tip's own when this moderator holds it, else a claim's. */
async function heldVersion(api: Api, tip: Decidable, me: string): Promise<number> {
  if (tip.status === 'in_review' && tip.claimed_by === me) return tip.version;
  return (await claim(api, tip.id)).version;
}

export async function decide(api: Api, tip: Decidable, me: string, d: Decision): Promise<TipState> {
  const version = await heldVersion(api, tip, me);
  const path = { id: tip.id };
  switch (d.kind) {
    case 'verify':
      return call(
        api.POST('/v1/moderation/tips/{id}/verify', {
          params: { path },
          body: {
            version,
            ...(d.leadId ? { lead_id: d.leadId } : {}),
            ...(!d.leadId && d.leadTitle?.trim() ? { lead_title: d.leadTitle.trim() } : {}),
          },
        }),
      );
    case 'reject':
      return call(
        api.POST('/v1/moderation/tips/{id}/reject', {
          params: { path },
          body: { version, reason: d.reason, ...(d.note?.trim() ? { note: d.note.trim() } : {}) },
        }),
      );
    case 'ask':
      return call(api.POST('/v1/moderation/tips/{id}/request-info', { params: { path }, body: { version, question: d.question.trim() } }));
    case 'duplicate':
      return call(api.POST('/v1/moderation/tips/{id}/mark-duplicate', { params: { path }, body: { version, of: d.of } }));
  }
}
