import { describe, expect, it } from 'vitest';
import en from '../i18n/en.json';
import zh from '../i18n/zh-CN.json';
import { deadlineText, inboxOrder, isOverdue } from './deadline';
import { decodeInboxView, encodeInboxView } from './view';
import { inView } from './store';

const words = (cat: Record<string, string>) => (k: string, p: Record<string, string | number>) =>
  cat[k]!.replace(/\{(\w+)\}/g, (_, n: string) => String(p[n]));

const NOW = Date.parse('2026-12-01T12:00:00Z');
const H = 3_600_000;
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe('deadlines', () => {
  it('say the time left, and how far past it is', () => {
    expect(deadlineText({ status: 'forwarded', due_at: at(3 * H) }, NOW, words(zh))).toEqual({ text: '还剩 3 小时', over: false });
    expect(deadlineText({ status: 'accepted', due_at: at(-2 * H) }, NOW, words(en))).toEqual({ text: 'overdue by 2 h', over: true });
    expect(deadlineText({ status: 'accepted', due_at: at(26 * H) }, NOW, words(en))!.text).toBe('1 d 2 h left');
  });

  it('count a lead the service found overdue as overdue, and none once resolved', () => {
    expect(isOverdue({ status: 'forwarded', due_at: at(H), overdue_since: at(-H) }, NOW)).toBe(true);
    expect(isOverdue({ status: 'accepted', due_at: at(-1000) }, NOW)).toBe(true);
    expect(isOverdue({ status: 'resolved', due_at: at(-H), overdue_since: at(-H) }, NOW)).toBe(false);
    expect(deadlineText({ status: 'resolved', due_at: at(H) }, NOW, words(en))).toBeNull();
    expect(deadlineText({ status: 'forwarded' }, NOW, words(en))).toBeNull();
  });
});

describe('the inbox order', () => {
  it('puts overdue leads first, then the nearest deadline', () => {
    const rows = [
      { reference: 'LD-A', status: 'forwarded' as const, due_at: at(5 * H) },
      { reference: 'LD-B', status: 'forwarded' as const },
      { reference: 'LD-C', status: 'forwarded' as const, due_at: at(-H) },
      { reference: 'LD-D', status: 'forwarded' as const, due_at: at(H) },
      { reference: 'LD-E', status: 'forwarded' as const, due_at: at(9 * H), overdue_since: at(0) },
    ];
    expect(inboxOrder(rows, NOW).map((r) => r.reference)).toEqual(['LD-C', 'LD-E', 'LD-D', 'LD-A', 'LD-B']);
  });

  it('lists resolved leads newest first', () => {
    const rows = [
      { reference: 'LD-A', status: 'resolved' as const, resolved_at: at(-5 * H) },
      { reference: 'LD-B', status: 'resolved' as const, resolved_at: at(-H) },
    ];
    expect(inboxOrder(rows, NOW).map((r) => r.reference)).toEqual(['LD-B', 'LD-A']);
  });
});

describe('the inbox view in the URL', () => {
  it('round-trips and refuses what it does not know', () => {
    const id = '0b7e5a4e-6f0e-4a43-9d7e-1f2a3b4c5d6e';
    const v = decodeInboxView(new URLSearchParams(`tab=accepted&category=gambling&overdue=1&lead=${id}`));
    expect(v).toEqual({ tab: 'accepted', category: 'gambling', overdue: true, lead: id });
    expect(decodeInboxView(new URLSearchParams(encodeInboxView(v)))).toEqual(v);
    expect(decodeInboxView(new URLSearchParams('tab=open&lead=x&category=<b>'))).toEqual({ tab: 'forwarded', category: null, overdue: false, lead: null });
    expect(encodeInboxView(decodeInboxView(new URLSearchParams()))).toBe('');
  });

  it('lets a live lead in only when it passes the filters', () => {
    const l = { id: 'x', reference: 'LD-X', status: 'forwarded' as const, version: 1, category: 'gambling' };
    expect(inView(l, { category: null, overdue: false })).toBe(true);
    expect(inView(l, { category: 'illicit_card_ads', overdue: false })).toBe(false);
    expect(inView(l, { category: null, overdue: true })).toBe(false);
  });
});
