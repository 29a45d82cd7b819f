// What the admin browser tests do through the API, as the rest of the
// service would: a reporter's tip (anonymous, one photo), a moderator's
// verify and forward, an officer's accept and resolve. Access tokens live
// 5 s in these runs, so every actor signs in again when its token is
// refused.
import { readFileSync } from 'node:fs';
import { expect, type APIRequestContext } from '@playwright/test';
import { ACCOUNTS } from './accounts';
import { FIXTURES } from './reporter-api';

type Who = { username: string; password: string };

export class Actor {
  private token = '';
  constructor(
    private request: APIRequestContext,
    private who: Who | 'anonymous',
  ) {}

  static admin(request: APIRequestContext) {
    return new Actor(request, ACCOUNTS.admin);
  }

  static moderator(request: APIRequestContext) {
    return new Actor(request, ACCOUNTS.moderator);
  }

  private async signIn() {
    if (this.who === 'anonymous') {
      const res = await this.request.post('/v1/auth/anonymous');
      expect(res.status(), 'anonymous token').toBe(201);
      this.token = ((await res.json()) as { access_token: string }).access_token;
      return;
    }
    const res = await this.request.post('/v1/auth/login', { data: { login: this.who.username, password: this.who.password } });
    expect(res.status(), `login ${this.who.username}`).toBe(200);
    this.token = ((await res.json()) as { access_token: string }).access_token;
  }

  async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, data?: unknown, opts: { headers?: Record<string, string>; multipart?: Record<string, unknown> } = {}): Promise<T> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.token) await this.signIn();
      const res = await this.request.fetch(path, {
        method,
        headers: { Authorization: `Bearer ${this.token}`, ...(opts.headers ?? {}) },
        ...(data !== undefined ? { data } : {}),
        ...(opts.multipart ? { multipart: opts.multipart as never } : {}),
      });
      if (res.status() === 401 && attempt === 0) {
        this.token = '';
        continue;
      }
      const text = await res.text();
      expect(res.ok(), `${method} ${path}: ${res.status()} ${text}`).toBe(true);
      return (text ? JSON.parse(text) : undefined) as T;
    }
    throw new Error('unreachable');
  }
}

export interface Placed {
  tipId: string;
  leadId: string;
  reference: string;
}

/** An anonymous tip with one photo at a place, verified by the moderator into a lead of its own. */
export async function verifiedLead(request: APIRequestContext, at: { lat: number; lon: number }, category: string): Promise<Placed> {
  const reporter = new Actor(request, 'anonymous');
  const key = `e2e-admin-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const media = await reporter.call<{ id: string }>('POST', '/v1/media', undefined, {
    headers: { 'Idempotency-Key': `${key}-photo` },
    multipart: { file: { name: 'card.jpg', mimeType: 'image/jpeg', buffer: readFileSync(FIXTURES.jpeg) } },
  });
  const phone = `139${Math.floor(Math.random() * 1e8)
    .toString()
    .padStart(8, '0')}`;
  const { tip } = await reporter.call<{ tip: { id: string } }>(
    'POST',
    '/v1/tips',
    { category, location: { ...at, accuracy_m: 10 }, media_ids: [media.id], contacts: [{ kind: 'phone', value: phone }] },
    { headers: { 'Idempotency-Key': `${key}-tip` } },
  );
  const mod = Actor.moderator(request);
  const claimed = await mod.call<{ version: number }>('POST', `/v1/moderation/tips/${tip.id}/claim`);
  const verified = await mod.call<{ lead_id: string }>('POST', `/v1/moderation/tips/${tip.id}/verify`, { version: claimed.version });
  const lead = await mod.call<{ reference: string }>('GET', `/v1/leads/${verified.lead_id}`);
  return { tipId: tip.id, leadId: verified.lead_id, reference: lead.reference };
}

export async function forward(request: APIRequestContext, leadId: string, unitId: string) {
  const mod = Actor.moderator(request);
  const lead = await mod.call<{ version: number }>('GET', `/v1/leads/${leadId}`);
  await mod.call('POST', `/v1/leads/${leadId}/forward`, { version: lead.version, unit_id: unitId });
}

export async function acceptAndResolve(request: APIRequestContext, officer: Who, leadId: string, outcome: string) {
  const unit = new Actor(request, officer);
  const seen = await unit.call<{ version: number }>('GET', `/v1/unit/leads/${leadId}`);
  const accepted = await unit.call<{ version: number }>('POST', `/v1/unit/leads/${leadId}/accept`, { version: seen.version });
  await unit.call('POST', `/v1/unit/leads/${leadId}/resolve`, { version: accepted.version, outcome, public_note: '已处理。' });
}

/** A square around a point, as a GIS tool exports it: a Feature with properties. */
export function squareFeature(lon: number, lat: number, half: number, name: string) {
  return {
    type: 'Feature',
    properties: { name },
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [lon - half, lat - half],
          [lon + half, lat - half],
          [lon + half, lat + half],
          [lon - half, lat + half],
          [lon - half, lat - half],
        ],
      ],
    },
  };
}
