import { describe, expect, it } from 'vitest';
import { DEFAULT_LEADS_VIEW, decodeLeadsView, encodeLeadsView, leadsQuery } from './filters';

const q = (s: string) => new URLSearchParams(s);

describe('leads view in the URL', () => {
  it('defaults to the open leads', () => {
    expect(decodeLeadsView(q(''))).toEqual(DEFAULT_LEADS_VIEW);
    expect(encodeLeadsView(DEFAULT_LEADS_VIEW)).toBe('');
  });

  it('reads and writes every filter, the open lead too', () => {
    const s = 'tab=forwarded&category=fraud&contact=wechat%3Aabc&unit=01a12722-ff39-733d-a301-8d76e1d4530f&overdue=1&lead=01a12722-ff39-733d-a301-8d76e1d45300';
    const v = decodeLeadsView(q(s));
    expect(v).toEqual({
      tab: 'forwarded',
      category: 'fraud',
      contact: { kind: 'wechat', value: 'abc' },
      unit: '01a12722-ff39-733d-a301-8d76e1d4530f',
      overdue: true,
      lead: '01a12722-ff39-733d-a301-8d76e1d45300',
    });
    expect(encodeLeadsView(v)).toBe(s);
    expect(leadsQuery(v)).toEqual({ status: ['forwarded'], category: 'fraud', contact: 'wechat:abc', unit: v.unit, overdue: true });
  });

  it('drops what is not on the whitelist', () => {
    expect(decodeLeadsView(q('tab=closed&unit=x&overdue=yes&lead=1&contact=fax:1'))).toEqual(DEFAULT_LEADS_VIEW);
  });

  it('"all" asks for no state', () => {
    expect(leadsQuery(decodeLeadsView(q('tab=all')))).toEqual({});
  });
});
