// Every catalogue pair (zh-CN.json, en.json) under src/ has the same keys,
// the same {params}, and no markup; and no message key is used that no
// catalogue has (for the keys the compiler cannot see: errors by code).
import { describe, expect, it } from 'vitest';

const catalogues = import.meta.glob<Record<string, string>>('/src/**/i18n/*.json', {
  eager: true,
  import: 'default',
});

const pairs = new Map<string, Partial<Record<'zh-CN' | 'en', Record<string, string>>>>();
for (const [path, messages] of Object.entries(catalogues)) {
  const m = /^(.*)\/(zh-CN|en)\.json$/.exec(path);
  if (!m) throw new Error(`a catalogue named neither zh-CN.json nor en.json: ${path}`);
  const pair = pairs.get(m[1]!) ?? {};
  pair[m[2] as 'zh-CN' | 'en'] = messages;
  pairs.set(m[1]!, pair);
}

const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('come in pairs', () => {
    expect([...pairs.keys()].sort()).toEqual(['/src/console/i18n', '/src/reporter/i18n', '/src/shared/i18n']);
    for (const [dir, pair] of pairs) {
      expect(pair['zh-CN'], `${dir}/zh-CN.json`).toBeDefined();
      expect(pair.en, `${dir}/en.json`).toBeDefined();
    }
  });

  for (const [dir, pair] of pairs) {
    it(`${dir}: both languages have the same keys and parameters`, () => {
      const zh = pair['zh-CN']!;
      const en = pair.en!;
      expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
      for (const key of Object.keys(zh)) {
        expect(params(en[key] ?? ''), `${key} in en`).toEqual(params(zh[key]!));
      }
    });

    it(`${dir}: messages are plain text, not empty`, () => {
      for (const [lang, messages] of Object.entries(pair)) {
        for (const [key, text] of Object.entries(messages!)) {
          expect(text.trim(), `${lang} ${key}`).not.toBe('');
          expect(text, `${lang} ${key} holds markup`).not.toMatch(/<[a-z/!]|&[a-z#]+;/i);
        }
      }
    });
  }

  it('no key is defined twice across the catalogues one app merges', () => {
    const shared = Object.keys(pairs.get('/src/shared/i18n')!['zh-CN']!);
    for (const app of ['/src/console/i18n', '/src/reporter/i18n']) {
      const own = Object.keys(pairs.get(app)!['zh-CN']!);
      expect(own.filter((k) => shared.includes(k)), app).toEqual([]);
    }
  });

  it('has a message for every error code the status fallback names', () => {
    const shared = pairs.get('/src/shared/i18n')!['zh-CN']!;
    for (const key of [
      'error.network.unreachable',
      'error.auth.unauthorized',
      'error.auth.forbidden',
      'error.not_found',
      'error.status.conflict',
      'error.status.invalid',
      'error.rate.limited',
      'error.status.server',
      'error.status.unknown',
    ]) {
      expect(shared[key], key).toBeDefined();
    }
  });
});
