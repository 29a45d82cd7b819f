import { describe, expect, it } from 'vitest';
import type { Api } from '../../shared/api/client';
import { createInboxStore, type UnitLead } from './store';
import { DEFAULT_INBOX_VIEW, type InboxTab } from './view';

function lead(n: number, status: InboxTab): UnitLead {
  return { id: `01b00000-0000-7000-8000-${String(n).padStart(12, '0')}`, reference: `LD-${n}`, status, version: 1, category: 'illicit_card_ads' };
}

/**
 * A unit with 2 leads to accept and 150 resolved, read 100 a page; the
 * service's counts answer `countsAnswer` (or fail).
 */
function fakeApi(countsAnswer: { ok: boolean }) {
  const asked: string[] = [];
  const ok = (data: unknown) => Promise.resolve({ data, response: new Response(null, { status: 200 }) });
  const api = {
    GET: (path: string, init: { params: { query: Record<string, unknown> } }) => {
      asked.push(path);
      if (path === '/v1/unit/counts') {
        if (!countsAnswer.ok) return Promise.resolve({ error: { code: 'service.unavailable' }, response: new Response(null, { status: 503 }) });
        return ok({
          states: [
            { status: 'forwarded', leads: 2, overdue: 1 },
            { status: 'accepted', leads: 0, overdue: 0 },
            { status: 'resolved', leads: 150, overdue: 0 },
          ],
        });
      }
      if (path === '/v1/unit/leads') {
        const [status] = init.params.query.status as InboxTab[];
        if (status === 'forwarded') return ok({ items: [lead(1, 'forwarded'), lead(2, 'forwarded')] });
        if (status === 'resolved') return ok({ items: Array.from({ length: 100 }, (_, i) => lead(100 + i, 'resolved')), next_cursor: 'c1' });
        return ok({ items: [] });
      }
      throw new Error(path);
    },
  } as unknown as Api;
  return { api, asked };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the inbox store', () => {
  it('counts a state with more leads than were read from the service, and the rest itself', async () => {
    const { api } = fakeApi({ ok: true });
    const store = createInboxStore(api);
    await store.load(DEFAULT_INBOX_VIEW);
    await flush();
    expect(store.counts.value).toEqual({
      forwarded: { n: 2, exact: true },
      accepted: { n: 0, exact: true },
      resolved: { n: 150, exact: true },
    });
    // A lead that arrives is counted at once, before the service is asked again.
    store.apply(lead(3, 'forwarded'));
    expect(store.counts.value.forwarded).toEqual({ n: 3, exact: true });
  });

  it('says "at least" for a state it could not count', async () => {
    const { api } = fakeApi({ ok: false });
    const store = createInboxStore(api);
    await store.load(DEFAULT_INBOX_VIEW);
    await flush();
    expect(store.counts.value.resolved).toEqual({ n: 100, exact: false });
    expect(store.counts.value.forwarded).toEqual({ n: 2, exact: true });
  });
});
