import { describe, expect, it } from 'vitest';
import { figuresOf, type Overview } from './figures';

const base: Overview = {
  from: '2026-11-24T00:00:00Z',
  to: '2026-12-01T00:00:00Z',
  tips_by_status: [
    { status: 'closed', count: 3 },
    { status: 'submitted', count: 2 },
  ],
  tips_by_category: [],
  leads_by_status: [{ status: 'resolved', count: 2 }],
  leads_by_category: [],
  submitted_to_verified: { count: 3, median_secs: 120, p90_secs: 600 },
  verified_to_forwarded: { count: 0 },
  forwarded_to_accepted: { count: 0 },
  accepted_to_resolved: { count: 0 },
  leads_forwarded: 4,
  leads_to_non_police: 1,
  non_police_share: 0.25,
  units: [
    { unit_id: 'a', name_en: 'A', kind: 'police_station', leads: 3, deadlines_due: 3, on_time: 3, on_time_rate: 1 },
    { unit_id: 'b', name_en: 'B', kind: 'department', leads: 1, deadlines_due: 1, on_time: 0, on_time_rate: 0 },
  ],
};

describe('the four figures', () => {
  it('add up the tips, take the decision time and the share, and weigh units by their deadlines', () => {
    expect(figuresOf(base)).toEqual({
      tips: 5,
      leads: 2,
      decisions: 3,
      decisionMedianSecs: 120,
      decisionP90Secs: 600,
      nonPoliceShare: 0.25,
      leadsForwarded: 4,
      leadsToNonPolice: 1,
      onTime: 3,
      deadlinesDue: 4,
      onTimeRate: 0.75,
    });
  });

  it('leave out what the period has none of', () => {
    const f = figuresOf({ ...base, units: [], submitted_to_verified: { count: 0 }, leads_forwarded: 0, leads_to_non_police: 0, non_police_share: undefined });
    expect(f.decisionMedianSecs).toBeUndefined();
    expect(f.nonPoliceShare).toBeUndefined();
    expect(f.onTimeRate).toBeUndefined();
  });
});
