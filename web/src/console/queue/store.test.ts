import { describe, expect, it } from 'vitest';
import type { Api } from '../../shared/api/client';
import { DEFAULT_QUEUE_VIEW, decodeQueueView } from './filters';
import { createQueueStore, matches, type QueueItem } from './store';

const ME = '00000000-0000-7000-8000-00000000000a';
const OTHER = '00000000-0000-7000-8000-00000000000b';
const counts = { submitted: 2, in_review: 0, needs_info: 0, verified: 0, forwarded: 0, closed: 0, rejected: 0, duplicate: 0, withdrawn: 0 };

function item(n: number, extra: Partial<QueueItem> = {}): QueueItem {
  return {
    id: `01a00000-0000-7000-8000-00000000000${n}`,
    reference: `TL-${n}`,
    status: 'submitted',
    version: 0,
    category: 'fraud',
    description: 'x',
    lat: 29.3,
    lon: 120.07,
    created_at: '2026-12-01T00:00:00Z',
    contacts: [{ kind: 'phone', value: '+8613800138000' }],
    photo_count: 1,
    ...extra,
  };
}

function fullTip(i: QueueItem) {
  return {
    ...i,
    location: { lat: i.lat, lon: i.lon, crs: 'wgs84', lat_original: i.lat, lon_original: i.lon },
    updated_at: i.created_at,
    reporter: { anonymous: true },
    photos: [],
    contacts: i.contacts.map((c) => ({ ...c, other_tips: 0, leads: 0 })),
    suggested_leads: [],
    similar_photos: [],
    messages: [],
    notes: [],
    history: [],
    audit: [],
  };
}

/** An Api whose GETs answer from tables; enough for the store. */
function fakeApi(pages: QueueItem[][], tips: Record<string, QueueItem>): Api {
  let page = 0;
  const ok = (data: unknown) => Promise.resolve({ data, response: new Response(null, { status: 200 }) });
  return {
    GET: (path: string, init: { params: { path?: { id: string } } }) => {
      if (path === '/v1/moderation/tips') {
        const items = pages[page] ?? [];
        page++;
        return ok({ items, counts, ...(page < pages.length ? { next_cursor: `c${page}` } : {}) });
      }
      if (path === '/v1/moderation/tips/{id}') return ok(fullTip(tips[init.params.path!.id]!));
      throw new Error(path);
    },
  } as unknown as Api;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the queue store', () => {
  it('changes a row in place when its tip is decided by someone else, saying who', async () => {
    const a = item(1);
    const store = createQueueStore(fakeApi([[a, item(3)]], {}), ME);
    await store.load(DEFAULT_QUEUE_VIEW);
    store.applyTip({ ...a, status: 'rejected', version: 2 }, { action: 'tip.reject', by: OTHER, mine: false });
    const row = store.rows.value[0]!;
    expect(row).toMatchObject({ id: a.id, status: 'rejected', version: 2, change: { by: OTHER, mine: false } });
    expect(store.rows.value).toHaveLength(2);
    // An older event after it changes nothing.
    store.applyTip({ ...a, status: 'in_review', version: 1 }, { action: 'tip.claim', by: OTHER, mine: false });
    expect(store.rows.value[0]!.status).toBe('rejected');
  });

  it('shows a claim as a claim, not as a change', async () => {
    const a = item(1);
    const store = createQueueStore(fakeApi([[a]], {}), ME);
    await store.load(DEFAULT_QUEUE_VIEW);
    store.applyTip({ ...a, status: 'in_review', version: 1, claimed_by: OTHER, claim_expires_at: '2099-01-01T00:00:00Z' }, { action: 'tip.claim', by: OTHER, mine: false });
    expect(store.rows.value[0]).toMatchObject({ claimed_by: OTHER, status: 'in_review' });
    expect(store.rows.value[0]!.change).toBeUndefined();
  });

  it('puts a new tip in its place when the list is complete, and leaves it for the next page otherwise', async () => {
    const two = item(2);
    const complete = createQueueStore(fakeApi([[item(1), item(3)]], { [two.id]: two }), ME);
    await complete.load(DEFAULT_QUEUE_VIEW);
    complete.applyTip({ ...two }, { action: 'tip.submit', mine: false });
    await flush();
    await flush();
    expect(complete.rows.value.map((r) => r.reference)).toEqual(['TL-1', 'TL-2', 'TL-3']);
    expect(complete.rows.value[1]!.fresh).toBe(true);

    const nine = item(9);
    const paged = createQueueStore(fakeApi([[item(1), item(3)], [item(5)]], { [nine.id]: nine }), ME);
    await paged.load(DEFAULT_QUEUE_VIEW);
    paged.applyTip({ ...nine }, { action: 'tip.submit', mine: false });
    await flush();
    await flush();
    expect(paged.rows.value.map((r) => r.reference)).toEqual(['TL-1', 'TL-3']);
    await paged.more();
    expect(paged.rows.value.map((r) => r.reference)).toEqual(['TL-1', 'TL-3', 'TL-5']);
  });

  it('ignores tips of other tabs and categories', async () => {
    const two = item(2, { category: 'drugs' });
    const store = createQueueStore(fakeApi([[item(1)]], { [two.id]: two }), ME);
    await store.load(decodeQueueView(new URLSearchParams('category=fraud')));
    store.applyTip({ ...two }, { action: 'tip.submit', mine: false });
    store.applyTip({ ...item(4), status: 'closed' }, { action: 'tip.close', mine: false });
    await flush();
    expect(store.rows.value).toHaveLength(1);
  });

  it('selects a range with shift', async () => {
    const store = createQueueStore(fakeApi([[item(1), item(2), item(3), item(4)]], {}), ME);
    await store.load(DEFAULT_QUEUE_VIEW);
    store.toggle(item(2).id);
    store.selectRange(item(4).id);
    expect([...store.selected.value].sort()).toEqual([item(2).id, item(3).id, item(4).id]);
  });
});

describe('matches', () => {
  const tip = fullTip(item(1, { address: '稠州北路', description: '小卡片' })) as unknown as Parameters<typeof matches>[1];
  const view = (q: string) => decodeQueueView(new URLSearchParams(q));
  it('reads contacts in any spelling, places by distance, text and claims', () => {
    expect(matches(view('contact=phone:138-0013-8000'), tip, ME)).toBe(true);
    expect(matches(view('contact=phone:139 0000 0000'), tip, ME)).toBe(false);
    expect(matches(view('near=29.3,120.07,100'), tip, ME)).toBe(true);
    expect(matches(view('near=29.31,120.07,100'), tip, ME)).toBe(false);
    expect(matches(view('q=稠州'), tip, ME)).toBe(true);
    expect(matches(view('q=义乌'), tip, ME)).toBe(false);
    expect(matches(view('claimed=me'), tip, ME)).toBe(false);
    expect(matches(view('claimed=none'), tip, ME)).toBe(true);
    expect(matches(view('tab=closed'), tip, ME)).toBe(false);
  });
});
