import { afterEach, describe, expect, it } from 'vitest';
import { memoryReporterDb, type Draft, type DraftPhoto } from './db';
import { createOutbox, emptyDraft, missing, type NewTipRequest, type OutboxDeps, type TipOutcome } from './outbox';
import type { UploadOutcome } from './upload';

const TIP = (n: number) => ({
  tip: { id: `tip-${n}`, reference: `TL-20261201-000${n}` } as never,
  receipt: { code: `R-${n}`, secret: `secret-${n}` },
});

/** A service that takes photos and tips the way the real one does with Idempotency-Key. */
class FakeService {
  online = true;
  anonSessions = 0;
  /** Whether an ended anonymous token may still be renewed. */
  renewable = true;
  renewals = 0;
  /** The session each anonymous token belongs to (a renewal keeps it). */
  sessionOf = new Map<string, string>();
  uploads: Array<{ key: string; token: string | null }> = [];
  tipPosts: Array<{ key: string; body: NewTipRequest; token: string | null }> = [];
  tipsByKey = new Map<string, ReturnType<typeof TIP>>();
  /** Answers to lose: the request is done, the answer never arrives. */
  loseTipAnswers = 0;
  failUploads = 0;
  tooLarge = false;
  refuse: TipOutcome | null = null;

  deps(db = memoryReporterDb()): OutboxDeps {
    return {
      db,
      online: () => this.online,
      citizen: async () => null,
      anonymous: async (previous) => {
        if (previous && this.renewable && this.sessionOf.has(previous.token)) {
          this.renewals += 1;
          const token = `${previous.token}-r${this.renewals}`;
          this.sessionOf.set(token, this.sessionOf.get(previous.token)!);
          return { token, expiresAt: Date.now() + 3600_000, lineage: previous.lineage ?? 'none' };
        }
        this.anonSessions += 1;
        const token = `anon-${this.anonSessions}`;
        this.sessionOf.set(token, token);
        return { token, expiresAt: Date.now() + 3600_000, lineage: `lineage-${this.anonSessions}` };
      },
      upload: async (p: DraftPhoto, token): Promise<UploadOutcome> => {
        this.uploads.push({ key: p.idempotencyKey, token });
        if (!this.online) return { ok: false, problem: { status: 0, code: 'network.unreachable' } };
        if (this.tooLarge) return { ok: false, problem: { status: 413, code: 'request.too_large' } };
        if (this.failUploads > 0) {
          this.failUploads -= 1;
          return { ok: false, problem: { status: 503, code: 'service.unavailable' } };
        }
        return { ok: true, media: { id: `m-${p.idempotencyKey}` } as never };
      },
      postTip: async (body, key, token) => {
        this.tipPosts.push({ key, body, token });
        if (!this.online) return { ok: false, problem: { status: 0, code: 'network.unreachable' } };
        if (this.refuse) {
          const r = this.refuse;
          this.refuse = null;
          return r;
        }
        // Keys are the caller's own, as on the service: a session's.
        const scoped = `${token === null ? 'citizen' : this.sessionOf.get(token)}:${key}`;
        if (!this.tipsByKey.has(scoped)) this.tipsByKey.set(scoped, TIP(this.tipsByKey.size + 1));
        if (this.loseTipAnswers > 0) {
          this.loseTipAnswers -= 1;
          return { ok: false, problem: { status: 0, code: 'network.unreachable' } };
        }
        return { ok: true, data: this.tipsByKey.get(scoped)! };
      },
      // Retries run when the test says so.
      setTimeout: () => 1,
      clearTimeout: () => undefined,
    };
  }
}

const photo = (name: string) => new Blob([name], { type: 'image/jpeg' });

async function readyDraft(outbox: ReturnType<typeof createOutbox>, photos = 2): Promise<Draft> {
  const d = emptyDraft(Date.now(), 'illicit_card_ads');
  await outbox.create(d);
  await outbox.edit(d.id, {
    place: { lat: 29.3, lon: 120.07, accuracy_m: 12, source: 'gps' },
    contacts: [{ id: 'c1', kind: 'phone', value: '138-0013-8000' }],
  });
  await outbox.addPhotos(d.id, Array.from({ length: photos }, (_, i) => photo(`p${i}`)));
  await outbox.pump();
  return d;
}

let outboxes: Array<ReturnType<typeof createOutbox>> = [];
afterEach(() => {
  outboxes.forEach((o) => o.dispose());
  outboxes = [];
});
const make = (deps: OutboxDeps) => {
  const o = createOutbox(deps);
  outboxes.push(o);
  return o;
};

describe('the outbox', () => {
  it('uploads each photo under its own key, then sends the tip once', async () => {
    const s = new FakeService();
    const o = make(s.deps());
    const d = await readyDraft(o);
    expect(s.uploads).toHaveLength(2);
    expect(new Set(s.uploads.map((u) => u.key)).size).toBe(2);
    expect(s.tipPosts).toHaveLength(0); // not sent until the reporter says so

    await o.submit(d.id);

    expect(s.tipPosts).toHaveLength(1);
    expect(s.tipPosts[0]!.body.contacts).toEqual([{ kind: 'phone', value: '138-0013-8000' }]);
    expect(s.tipPosts[0]!.body.media_ids).toHaveLength(2);
    const sent = o.drafts.value.find((x) => x.id === d.id)!;
    expect(sent.state).toBe('sent');
    expect(sent.sent).toMatchObject({ reference: 'TL-20261201-0001', receipt: { code: 'R-1', secret: 'secret-1' } });
  });

  it('names each uploaded photo’s media id, then and after a reload (its card is read by that id)', async () => {
    const s = new FakeService();
    const db = memoryReporterDb();
    const o = make(s.deps(db));
    const d = await readyDraft(o);
    const states = () => o.drafts.value.find((x) => x.id === d.id)!.photoIds.map((id) => o.photos.value.get(id));
    expect(states()).toHaveLength(2);
    expect(states().map((p) => p?.mediaId)).toEqual(s.uploads.map((u) => `m-${u.key}`));
    expect(states().every((p) => p?.status === 'done')).toBe(true);

    // A dismissed offer is kept with the draft, and does not clear a refusal.
    await o.edit(d.id, { dismissedFound: ['phone:+8613800138000'] });
    const again = make(s.deps(db));
    await again.start();
    const kept = again.drafts.value.find((x) => x.id === d.id)!;
    expect(kept.dismissedFound).toEqual(['phone:+8613800138000']);
    expect(kept.photoIds.map((id) => again.photos.value.get(id)?.mediaId)).toEqual(s.uploads.map((u) => `m-${u.key}`));
  });

  it('retries a tip whose answer was lost with the same key, so the service makes one tip', async () => {
    const s = new FakeService();
    const db = memoryReporterDb();
    const o = make(s.deps(db));
    const d = await readyDraft(o);
    s.loseTipAnswers = 1;

    await o.submit(d.id);
    expect(o.drafts.value.find((x) => x.id === d.id)!.state).toBe('queued');
    await o.pump();

    expect(s.tipPosts.map((p) => p.key)).toEqual([d.idempotencyKey, d.idempotencyKey]);
    expect(s.tipsByKey.size).toBe(1);
    expect(o.drafts.value.find((x) => x.id === d.id)!.sent?.receipt?.code).toBe('R-1');
    expect((await db.receipts.all()).map((r) => r.code)).toEqual(['R-1']);
  });

  it('keeps a report made offline and sends it when back online, with the same keys', async () => {
    const s = new FakeService();
    s.online = false;
    const o = make(s.deps());
    const d = await readyDraft(o);
    await o.submit(d.id);
    expect(s.tipPosts).toHaveLength(0);
    expect(o.drafts.value[0]!.state).toBe('queued');

    s.online = true;
    await o.pump();

    expect(s.tipPosts).toHaveLength(1);
    expect(o.drafts.value[0]!.state).toBe('sent');
  });

  it('retries a failed upload under the same key', async () => {
    const s = new FakeService();
    s.failUploads = 1;
    const o = make(s.deps());
    await readyDraft(o, 1);
    expect(s.uploads).toHaveLength(2);
    expect(s.uploads[0]!.key).toBe(s.uploads[1]!.key);
    expect([...o.photos.value.values()].map((p) => p.status)).toEqual(['done']);
  });

  it('survives a reload: a new outbox on the same store carries on with the stored keys', async () => {
    const s = new FakeService();
    const db = memoryReporterDb();
    s.online = false;
    const first = make(s.deps(db));
    const d = await readyDraft(first);
    await first.submit(d.id);
    first.dispose();

    s.online = true;
    const again = make(s.deps(db));
    await again.start();
    await again.pump();

    expect(s.tipPosts.at(-1)!.key).toBe(d.idempotencyKey);
    expect(again.drafts.value[0]!.state).toBe('sent');
    expect(s.anonSessions).toBe(1);
  });

  it('takes a definite refusal back to the form, with a new key for the changed report', async () => {
    const s = new FakeService();
    const o = make(s.deps());
    const d = await readyDraft(o);
    s.refuse = {
      ok: false,
      problem: { status: 422, code: 'tip.invalid_contact', message: 'contacts[0] (phone): not a mainland mobile' },
    };
    await o.submit(d.id);

    const back = o.drafts.value[0]!;
    expect(back.state).toBe('editing');
    expect(back.problem).toMatchObject({ code: 'tip.invalid_contact', detail: 'contacts[0] (phone): not a mainland mobile' });
    expect(back.sentContactIds).toEqual(['c1']);
    expect(back.idempotencyKey).not.toBe(d.idempotencyKey);
    await o.submit(d.id);
    expect(s.tipPosts.at(-1)!.key).toBe(back.idempotencyKey);
    expect(o.drafts.value[0]!.state).toBe('sent');
  });

  it('uploads again under a new session when the anonymous one is past renewing', async () => {
    const s = new FakeService();
    s.renewable = false;
    const o = make(s.deps());
    const d = await readyDraft(o, 1);
    s.refuse = { ok: false, problem: { status: 401, code: 'auth.unauthorized' } };
    await o.submit(d.id);
    await o.pump();
    expect(s.anonSessions).toBe(2);
    expect(s.uploads.map((u) => u.token)).toEqual(['anon-1', 'anon-2']);
    expect(s.tipPosts.map((p) => p.token)).toEqual(['anon-1', 'anon-2']);
    expect(o.drafts.value[0]!.state).toBe('sent');
  });

  it('renews an ended anonymous token, so a retried report finds its first attempt', async () => {
    const s = new FakeService();
    const o = make(s.deps());
    const d = await readyDraft(o, 1);
    // The tip is made but its answer is lost; by the retry the token ended.
    s.loseTipAnswers = 1;
    await o.submit(d.id);
    expect(o.drafts.value[0]!.state).toBe('queued');
    s.refuse = { ok: false, problem: { status: 401, code: 'auth.unauthorized' } };
    await o.pump();
    await o.pump();
    expect(s.anonSessions).toBe(1);
    expect(s.renewals).toBe(1);
    // The photo stays the session's: not sent again.
    expect(s.uploads).toHaveLength(1);
    expect(s.tipPosts.map((p) => p.token)).toEqual(['anon-1', 'anon-1', 'anon-1-r1']);
    expect(s.tipsByKey.size).toBe(1);
    expect(o.drafts.value[0]!.state).toBe('sent');
    expect(o.drafts.value[0]!.sent?.reference).toBe('TL-20261201-0001');
  });

  it('sends a queued report back to the form when a photo is refused for good', async () => {
    const s = new FakeService();
    s.online = false;
    const o = make(s.deps());
    const d = await readyDraft(o, 1);
    await o.submit(d.id);
    expect(o.drafts.value[0]!.state).toBe('queued');

    s.online = true;
    s.tooLarge = true;
    await o.pump();

    expect(o.drafts.value[0]!.state).toBe('editing');
    expect([...o.photos.value.values()]).toMatchObject([{ status: 'failed', problem: { status: 413 } }]);
    expect(s.tipPosts).toHaveLength(0);
  });

  it('says what is missing before a draft can be sent', () => {
    const d = emptyDraft(0, '');
    d.contacts = [{ id: 'x', kind: 'phone', value: '12345' }];
    expect(missing(d, [])).toEqual(['photos', 'place', 'category', 'contacts']);
  });
});
