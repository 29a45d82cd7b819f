import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../shared/api/problem';
import { DetailedProblem, invalidFields, placeProblem, quotedField } from './problems';
import { makePassword } from './staff/StaffSection';

const FIELDS = ['name_zh', 'name_en', 'webhook_url', 'webhook_secret', 'jurisdiction', 'categories'] as const;
const placing = {
  fields: FIELDS,
  paths: { 'webhook.url': 'webhook_url', 'webhook.secret': 'webhook_secret' } as const,
  codes: {
    'unit.unknown_category': 'categories' as const,
    'unit.invalid_webhook': (d: string) => (/secret/.test(d) ? ('webhook_secret' as const) : ('webhook_url' as const)),
  },
};
const problem = (status: number, code: string, detail: string) => new DetailedProblem({ status, code }, detail);

describe('placing a failed save at its field', () => {
  it('reads the fields a 400 names', () => {
    expect(invalidFields('body: $.webhook.secret: 5 characters, at least 16 expected; $.webhook.url: does not match /^https?:/')).toEqual([
      'webhook.secret',
      'webhook.url',
    ]);
    expect(invalidFields('body: $.categories[2]: longer than 40')).toEqual(['categories']);
    expect(invalidFields('body: $.jurisdiction: fits 0 of its oneOf schemas, not exactly one')).toEqual(['jurisdiction']);
    expect(invalidFields('failed to parse path `param0`')).toEqual([]);
  });

  it('puts each field the 400 names at that field, with its own rule', () => {
    const placed = placeProblem(problem(400, 'request.invalid', 'body: $.name_zh: does not match /\\S/; $.webhook.secret: too short'), placing);
    expect(placed.general).toBeUndefined();
    expect(placed.issues).toEqual({
      name_zh: { key: 'admin.invalid.name_zh', code: 'request.invalid' },
      webhook_secret: { key: 'admin.invalid.webhook_secret', code: 'request.invalid' },
    });
  });

  it('puts a business rule at the field its code is about, said by code', () => {
    expect(placeProblem(problem(422, 'unit.unknown_category', 'no category `x`'), placing).issues).toEqual({
      categories: { key: 'error.unit.unknown_category', code: 'unit.unknown_category' },
    });
    expect(placeProblem(problem(422, 'unit.invalid_webhook', 'the webhook secret must be 16 to 200 characters'), placing).issues).toEqual({
      webhook_secret: { key: 'error.unit.invalid_webhook', code: 'unit.invalid_webhook' },
    });
  });

  it('keeps what belongs to no field above the form', () => {
    const p = new ApiProblem({ status: 503, code: 'service.unavailable' });
    expect(placeProblem(p, placing)).toEqual({ issues: {}, general: p });
    const odd = problem(400, 'request.invalid', 'body: $.something_else: no');
    expect(placeProblem(odd, placing).general).toBe(odd);
    expect(placeProblem(new TypeError('Failed to fetch'), placing).general).toMatchObject({ code: 'network.unreachable' });
  });

  it('reads the field a blank-text 422 quotes', () => {
    expect(quotedField('`label_zh` must not be blank')).toBe('label_zh');
    expect(quotedField('nothing quoted')).toBeUndefined();
  });
});

describe('a password to hand over', () => {
  it('has 16 characters without look-alikes', () => {
    const p = makePassword();
    expect(p).toMatch(/^[a-km-np-zA-HJ-NP-Z2-9]{16}$/);
    expect(makePassword()).not.toBe(p);
  });

  it('draws every character evenly (rejects bytes past the last whole alphabet)', () => {
    let calls = 0;
    const p = makePassword((n) => {
      calls++;
      // 255 is rejected (56 * 4 = 224 ≤ b), 0 is `a`.
      return new Uint8Array(n).map((_, i) => (i % 2 ? 255 : 0));
    });
    expect(p).toBe('a'.repeat(16));
    expect(calls).toBe(1);
  });
});
