// The four figures the page leads with, from the API's overview: how many
// tips came in, how long a decision took (submitted → verified, median),
// the share of forwarded leads that went to non-police departments, and the
// share of deadlines kept across every unit.

import type { Schemas } from '../../shared/api/types';

export type Overview = Schemas['Overview'];

export interface Figures {
  tips: number;
  leads: number;
  decisionMedianSecs?: number;
  decisionP90Secs?: number;
  decisions: number;
  nonPoliceShare?: number;
  leadsForwarded: number;
  leadsToNonPolice: number;
  onTimeRate?: number;
  onTime: number;
  deadlinesDue: number;
}

export function figuresOf(o: Overview): Figures {
  const sum = (xs: ReadonlyArray<{ count: number }>) => xs.reduce((n, x) => n + x.count, 0);
  const onTime = o.units.reduce((n, u) => n + u.on_time, 0);
  const due = o.units.reduce((n, u) => n + u.deadlines_due, 0);
  const f: Figures = {
    tips: sum(o.tips_by_status),
    leads: sum(o.leads_by_status),
    decisions: o.submitted_to_verified.count,
    leadsForwarded: o.leads_forwarded,
    leadsToNonPolice: o.leads_to_non_police,
    onTime,
    deadlinesDue: due,
  };
  if (o.submitted_to_verified.median_secs !== undefined) f.decisionMedianSecs = o.submitted_to_verified.median_secs;
  if (o.submitted_to_verified.p90_secs !== undefined) f.decisionP90Secs = o.submitted_to_verified.p90_secs;
  // The API leaves the share out when nothing was forwarded; so do we.
  if (o.non_police_share !== undefined) f.nonPoliceShare = o.non_police_share;
  else if (o.leads_forwarded > 0) f.nonPoliceShare = o.leads_to_non_police / o.leads_forwarded;
  // Across units: kept deadlines over deadlines that came, not an average
  // of the units' rates (a unit with one lead would weigh as much as one with a hundred).
  if (due > 0) f.onTimeRate = onTime / due;
  return f;
}

export const STAGES = ['submitted_to_verified', 'verified_to_forwarded', 'forwarded_to_accepted', 'accepted_to_resolved'] as const;
export type Stage = (typeof STAGES)[number];
