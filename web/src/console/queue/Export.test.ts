import { describe, expect, it } from 'vitest';
import { createCsvCounter } from './Export';

const enc = new TextEncoder();

describe('createCsvCounter', () => {
  it('counts records after the header, across chunks and quoted line breaks', () => {
    const csv = 'reference,text\nTL-1,"two\nlines"\nTL-2,"a ""quote"""\n';
    for (let cut = 0; cut <= csv.length; cut++) {
      const c = createCsvCounter();
      c.feed(enc.encode(csv.slice(0, cut)));
      c.feed(enc.encode(csv.slice(cut)));
      expect(c.rows(), `cut at ${cut}`).toBe(2);
    }
  });

  it('counts a last record without a line end', () => {
    const c = createCsvCounter();
    c.feed(enc.encode('h\nTL-1\nTL-2'));
    expect(c.rows()).toBe(2);
  });

  it('says 0 for a header alone or nothing', () => {
    const c = createCsvCounter();
    expect(c.rows()).toBe(0);
    c.feed(enc.encode('h\n'));
    expect(c.rows()).toBe(0);
  });
});
