import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openReporterDb } from './db';
import { emptyDraft } from './outbox';

describe('the draft store (IndexedDB)', () => {
  it('keeps a draft and its photos as Blobs across openings', async () => {
    const d = emptyDraft(1, 'fraud');
    d.description = '门口的小卡片';
    d.photoIds = ['p1'];
    const first = openReporterDb();
    await first.drafts.put(d);
    await first.photos.put({ id: 'p1', draftId: d.id, blob: new Blob(['jpeg bytes'], { type: 'image/jpeg' }), name: 'a.jpg', idempotencyKey: 'k1' });

    const again = openReporterDb();
    const stored = await again.drafts.get(d.id);
    expect(stored).toMatchObject({ description: '门口的小卡片', idempotencyKey: d.idempotencyKey, photoIds: ['p1'] });
    const [p] = await again.photos.ofDraft(d.id);
    expect(p).toMatchObject({ id: 'p1', idempotencyKey: 'k1' });
    expect(await p!.blob.text()).toBe('jpeg bytes');
    expect(p!.blob.type).toBe('image/jpeg');
  });

  it('drops a draft with its photos, and keeps receipts apart', async () => {
    const db = openReporterDb();
    const d = emptyDraft(2, 'fraud');
    await db.drafts.put(d);
    await db.photos.put({ id: 'p2', draftId: d.id, blob: new Blob(['x']), name: 'x', idempotencyKey: 'k2' });
    await db.receipts.put({ code: 'R-X', secret: 's', reference: 'TL-1', tipId: 't', createdAt: 2 });
    await db.drafts.delete(d.id);
    expect(await db.drafts.get(d.id)).toBeUndefined();
    expect(await db.photos.ofDraft(d.id)).toEqual([]);
    expect(await db.receipts.get('R-X')).toMatchObject({ secret: 's' });
  });

  it('stores a problem as plain data', async () => {
    const db = openReporterDb();
    const d = emptyDraft(3, 'fraud');
    const err = Object.assign(new Error('x'), { status: 422, code: 'tip.invalid_contact' });
    d.problem = err as never;
    await db.drafts.put(d);
    expect((await db.drafts.get(d.id))!.problem).toEqual({ status: 422, code: 'tip.invalid_contact' });
  });
});
