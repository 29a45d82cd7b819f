// Contacts the service read off the reporter's photos, offered before the
// tip is sent ("照片上识别到：138 0013 8000 — 添加"), so a reporter in the
// dark next to a car types less and mistypes nothing.
//
// A convenience and nothing more: the service reads a photo in the
// background after its upload, so the page asks a few times, a few seconds
// apart, and gives up quietly — a failed reading, a failed call or no
// network shows nothing to the reporter and changes nothing typed.

import type { Schemas } from '../../shared/api/types';
import { checkContact, parseMobile, type ContactKind } from './contact';
import { newId, type ContactRow } from './db';

export type FoundContact = Schemas['FoundContact'];
export type PhotoReading = Schemas['PhotoSuggestions'];

/** One answer of `GET /v1/media/{id}/suggestions`; `status` 0 is no answer. */
export type ReadingAnswer = { ok: true; data: PhotoReading } | { ok: false; status: number };

/**
 * The waits before each ask (ms): reading starts after the upload and
 * takes a few seconds, longer when the service is busy. Ten asks over about
 * a minute, then the page stops asking.
 */
export const READING_WAITS_MS: readonly number[] = [1500, 2000, 3000, 3000, 5000, 5000, 8000, 8000, 10_000, 15_000];

export interface PollDeps {
  ask(signal: AbortSignal): Promise<ReadingAnswer>;
  /** Whether the browser says it is online; offline, a turn passes without a call. */
  online(): boolean;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  waits?: readonly number[];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const h = setTimeout(done, ms);
    function done() {
      clearTimeout(h);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/**
 * Asks until the reading is done or failed, the tries run out, the answer
 * says the photo is not (or no longer) the caller's, or `signal` aborts.
 * Resolves with what was found (empty in every other case); never rejects.
 */
export async function pollReading(deps: PollDeps, signal: AbortSignal): Promise<FoundContact[]> {
  const wait = deps.sleep ?? sleep;
  for (const ms of deps.waits ?? READING_WAITS_MS) {
    await wait(ms, signal);
    if (signal.aborted) return [];
    if (!deps.online()) continue;
    let answer: ReadingAnswer;
    try {
      answer = await deps.ask(signal);
    } catch {
      answer = { ok: false, status: 0 };
    }
    if (signal.aborted) return [];
    if (answer.ok) {
      if (answer.data.reading === 'done') return answer.data.contacts;
      if (answer.data.reading === 'failed') return [];
      continue;
    }
    // Not the caller's photo (removed, or another session's), or the
    // caller is no longer allowed: asking again will not change that.
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) return [];
  }
  return [];
}

/** An offer on the page: one contact, however many photos showed it. */
export interface Offer {
  /** `kind:value`, the value normalised as the service stores it. */
  key: string;
  kind: ContactKind;
  /** Normalised (`+8613800138000`). */
  value: string;
  /** As the reporter reads it on a card (`138 0013 8000`). */
  display: string;
}

export function offerKey(c: { kind: string; value: string }): string {
  return `${c.kind}:${c.value}`;
}

/**
 * How a found contact is written for the reporter, and into the contact
 * field when added: a mainland mobile as on a card, `138 0013 8000` (the
 * field's check takes it, and says it will be recorded as `+86…`); other
 * contacts as the service normalised them.
 */
export function displayValue(kind: ContactKind, value: string): string {
  if (kind === 'phone') {
    const mobile = parseMobile(value);
    if (mobile) {
      const n = mobile.slice(3);
      return `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
    }
  }
  return value;
}

/** What each row of the draft records, normalised (rows not valid yet count as nothing). */
function recorded(rows: readonly ContactRow[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) {
    if (!r.value.trim()) continue;
    const c = checkContact(r.kind, r.value);
    if (c.ok) out.add(offerKey({ kind: r.kind, value: c.value }));
  }
  return out;
}

/**
 * The contacts to offer: what the photos showed (in the order of the
 * photos, surest first within one), once each, without those the draft
 * already has (however they were typed), those the reporter dismissed, and
 * any the reporter's form could not take as it is.
 */
export function offersFor(
  found: readonly (readonly FoundContact[])[],
  rows: readonly ContactRow[],
  dismissed: readonly string[],
): Offer[] {
  const have = recorded(rows);
  const skip = new Set(dismissed);
  const out: Offer[] = [];
  const seen = new Set<string>();
  for (const list of found) {
    for (const f of list) {
      const kind = f.kind as ContactKind;
      const checked = checkContact(kind, f.value);
      if (!checked.ok) continue;
      const key = offerKey({ kind, value: checked.value });
      if (seen.has(key) || have.has(key) || skip.has(key)) continue;
      seen.add(key);
      out.push({ key, kind, value: checked.value, display: displayValue(kind, checked.value) });
    }
  }
  return out;
}

/** Up to this many contact rows (as the form allows). */
export const MAX_CONTACTS = 20;

/**
 * The draft's rows with the offer added: into the first empty row (the
 * form starts with one), else as a new row. What the reporter typed is
 * never written over. Null when the form is full.
 */
export function addOffer(rows: readonly ContactRow[], offer: Offer, id: () => string = newId): ContactRow[] | null {
  const empty = rows.findIndex((r) => !r.value.trim());
  if (empty >= 0) {
    return rows.map((r, i) => (i === empty ? { ...r, kind: offer.kind, value: offer.display } : r));
  }
  if (rows.length >= MAX_CONTACTS) return null;
  return [...rows, { id: id(), kind: offer.kind, value: offer.display }];
}
