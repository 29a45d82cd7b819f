// What the inbox's browser tests do through the API: a station (or any
// unit) with an officer of its own; a tip from the registered citizen, with
// a photo, a description and the number on the card, verified by the
// moderator into a lead of its own (forwarded with admin-api's `forward`);
// and a page signed in as an officer, with the bell's tones counted.
import { readFileSync } from 'node:fs';
import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { ACCOUNTS } from './accounts';
import { Actor } from './admin-api';
import { contextAs, uniquePhone, uniquePlace } from './desk-api';
import { FIXTURES } from './reporter-api';

export interface Officer {
  username: string;
  password: string;
}

export interface Station {
  id: string;
  name_zh: string;
  name_en: string;
  officer: Officer;
}

/** A unit taking card ads, with an officer of its own. */
export async function stationWithOfficer(request: APIRequestContext, tag: string): Promise<Station> {
  const admin = Actor.admin(request);
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const unit = await admin.call<{ id: string; name_zh: string; name_en: string }>('POST', '/v1/admin/units', {
    name_zh: `${tag}派出所${suffix}`,
    name_en: `${tag} Police Station ${suffix}`,
    kind: 'police_station',
    categories: ['illicit_card_ads'],
  });
  const officer = { username: `inbox-${suffix}`, password: 'inbox-officer-e2e-1' };
  await admin.call('POST', '/v1/admin/users', { ...officer, role: 'unit_officer', unit_id: unit.id });
  return { ...unit, officer };
}

export interface CitizenLead {
  tipId: string;
  tipReference: string;
  leadId: string;
  reference: string;
  description: string;
  phone: string;
}

/** The registered citizen reports a card; the moderator verifies it into a lead of its own. */
export async function citizenLead(request: APIRequestContext, description: string): Promise<CitizenLead> {
  const citizen = new Actor(request, ACCOUNTS.citizen);
  const media = await citizen.call<{ id: string }>('POST', '/v1/media', undefined, {
    multipart: { file: { name: 'card.jpg', mimeType: 'image/jpeg', buffer: readFileSync(FIXTURES.jpeg) } },
  });
  const phone = uniquePhone();
  const { tip } = await citizen.call<{ tip: { id: string; reference: string } }>('POST', '/v1/tips', {
    category: 'illicit_card_ads',
    description,
    location: { ...uniquePlace(), accuracy_m: 10 },
    address: '稠州北路 88 号',
    media_ids: [media.id],
    contacts: [{ kind: 'phone', value: phone }],
  });
  const mod = Actor.moderator(request);
  const claimed = await mod.call<{ version: number }>('POST', `/v1/moderation/tips/${tip.id}/claim`);
  const verified = await mod.call<{ lead_id: string }>('POST', `/v1/moderation/tips/${tip.id}/verify`, { version: claimed.version });
  const lead = await mod.call<{ reference: string }>('GET', `/v1/leads/${verified.lead_id}`);
  return { tipId: tip.id, tipReference: tip.reference, leadId: verified.lead_id, reference: lead.reference, description, phone };
}

/** The citizen's notifications about one tip. */
export async function notificationsOf(request: APIRequestContext, tipId: string) {
  const citizen = new Actor(request, ACCOUNTS.citizen);
  const page = await citizen.call<{ items: Array<{ kind: string; tip_id?: string; text_zh: string; text_en: string }> }>(
    'GET',
    '/v1/me/notifications?limit=100',
  );
  return page.items.filter((n) => n.tip_id === tipId);
}

declare global {
  interface Window {
    /** Tones the page started (counted by `officerPage`). */
    __tones?: number;
  }
}

/**
 * A page signed in as the officer, in a language, with every WebAudio
 * oscillator the page starts counted in `window.__tones`.
 */
export async function officerPage(
  browser: Browser,
  baseURL: string,
  officer: Officer,
  opts: { lang?: 'zh-CN' | 'en'; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await contextAs(browser, baseURL, officer);
  const page = await context.newPage();
  if (opts.viewport) await page.setViewportSize(opts.viewport);
  await page.addInitScript((lang) => {
    if (lang) localStorage.setItem('tipline.lang', lang);
    window.__tones = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args: Parameters<OscillatorNode['start']>) {
      window.__tones = (window.__tones ?? 0) + 1;
      return start.apply(this, args);
    };
  }, opts.lang ?? null);
  return page;
}

/** What an officer reads of a lead, through the API. */
export async function unitLead(request: APIRequestContext, officer: Officer, id: string) {
  return new Actor(request, officer).call<{
    status: string;
    version: number;
    outcome_code?: string;
    public_note?: string;
    internal_note?: string;
    history: Array<{ action: string; note?: string }>;
  }>('GET', `/v1/unit/leads/${id}`);
}

export { expect };
