import { describe, expect, it } from 'vitest';
import cases from './contact-cases.json';
import { checkContact, normaliseContact, refusedContact, rustTrim, type ContactKind } from './contact';

describe('contacts, checked with the service rules (contact-cases.json)', () => {
  it('has the cases the brief names, and enough of them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const inputs = cases.map((c) => `${c.kind}:${c.input}`);
    expect(inputs).toEqual(expect.arrayContaining(['phone:138-0013-8000', 'phone:+86 138 0013 8000', 'phone:12345']));
  });

  for (const c of cases) {
    it(`${c.kind} ${JSON.stringify(c.input)} → ${c.normalised ?? 'refused'}`, () => {
      expect(normaliseContact(c.kind as ContactKind, c.input)).toBe(c.normalised);
      expect(checkContact(c.kind as ContactKind, c.input).ok).toBe(c.normalised !== null);
    });
  }
});

describe('the pieces', () => {
  it('trims as Rust does, not as JS does', () => {
    expect(rustTrim('\u0085x\u3000')).toBe('x');
    expect(rustTrim('\ufeffx')).toBe('\ufeffx');
  });

  it('reads which contact the service refused', () => {
    expect(
      refusedContact('contacts[2] (phone): not a mainland mobile or landline number (e.g. 13800138000, 010-62345678)'),
    ).toEqual({ index: 2, detail: 'not a mainland mobile or landline number (e.g. 13800138000, 010-62345678)' });
    expect(refusedContact('contacts[0]: kind must be phone, wechat, qq or url')).toEqual({
      index: 0,
      detail: 'kind must be phone, wechat, qq or url',
    });
    expect(refusedContact('at most 20 contacts')).toBeNull();
  });
});
