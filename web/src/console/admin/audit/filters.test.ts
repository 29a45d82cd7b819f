import { describe, expect, it } from 'vitest';
import { auditQuery, decodeAuditFilters, encodeAuditFilters, EMPTY } from './filters';

const ID = '01a23205-062c-7408-89f4-f19c71ec10b5';

describe('the audit filters in the URL', () => {
  it('keep what parses and drop the rest', () => {
    expect(decodeAuditFilters({ actor: ID, action: 'unit.update', kind: 'unit', object: 'nope', from: '2026-11-31', to: '2026-12-01' })).toEqual({
      ...EMPTY,
      actor: ID,
      action: 'unit.update',
      kind: 'unit',
      to: '2026-12-01',
    });
    expect(decodeAuditFilters({ action: 'DROP TABLE', kind: 'Unit!' })).toEqual(EMPTY);
    expect(decodeAuditFilters({ from: '2026-12-02', to: '2026-12-01' })).toEqual({ ...EMPTY, from: '2026-12-02' });
  });

  it('round-trip', () => {
    const f = { ...EMPTY, action: 'user.password_reset', from: '2026-11-01' };
    expect(decodeAuditFilters(Object.fromEntries(new URLSearchParams(encodeAuditFilters(f))))).toEqual(f);
    expect(encodeAuditFilters(EMPTY)).toBe('');
  });

  it('ask the API for whole days in UTC+8', () => {
    expect(auditQuery({ ...EMPTY, actor: ID, from: '2026-12-01', to: '2026-12-01' })).toEqual({
      actor_id: ID,
      from: '2026-11-30T16:00:00.000Z',
      to: '2026-12-01T16:00:00.000Z',
    });
  });
});
