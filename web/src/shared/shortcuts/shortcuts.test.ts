import { describe, expect, it, vi } from 'vitest';
import { createShortcuts, keyLabel, keyOf, type KeyEventLike } from './shortcuts';

const TABLE = [
  { id: 'help', keys: ['?'], description: 'shortcuts.help', scope: 'global' },
  { id: 'verify', keys: ['v'], description: 'queue.verify', scope: 'tip' },
  { id: 'reject', keys: ['r'], description: 'queue.reject', scope: 'tip' },
  { id: 'next', keys: ['j', 'ArrowDown'], description: 'queue.next', scope: 'list' },
  { id: 'shift_v', keys: ['V'], description: 'queue.verify_all', scope: 'list' },
] as const;

function key(init: Partial<KeyEventLike>): KeyEventLike & { prevented: boolean } {
  const e = {
    key: '',
    code: '',
    shiftKey: false,
    ctrlKey: false,
    altKey: false,
    metaKey: false,
    isComposing: false,
    target: { tagName: 'BODY' },
    prevented: false,
    preventDefault() {
      e.prevented = true;
    },
    ...init,
  };
  return e;
}

function setup() {
  const s = createShortcuts(TABLE);
  const ran: string[] = [];
  for (const def of TABLE) s.register(def.id, () => ran.push(def.id));
  return { s, ran };
}

describe('the shortcut dispatcher', () => {
  it('runs the live shortcut a key names and stops the browser doing more', () => {
    const { s, ran } = setup();
    const e = key({ key: 'v', code: 'KeyV' });
    expect(s.dispatch(e)).toBe(true);
    expect(ran).toEqual(['verify']);
    expect(e.prevented).toBe(true);
    s.dispatch(key({ key: 'ArrowDown', code: 'ArrowDown' }));
    s.dispatch(key({ key: '?', code: 'Slash', shiftKey: true }));
    expect(ran).toEqual(['verify', 'next', 'help']);
  });

  it('tells Shift+letter from the letter, whatever Caps Lock says', () => {
    const { s, ran } = setup();
    s.dispatch(key({ key: 'V', code: 'KeyV', shiftKey: true }));
    s.dispatch(key({ key: 'V', code: 'KeyV', shiftKey: false })); // Caps Lock on
    expect(ran).toEqual(['shift_v', 'verify']);
  });

  it('ignores keys while a form field has focus', () => {
    const { s, ran } = setup();
    for (const target of [
      { tagName: 'INPUT', type: 'text' },
      { tagName: 'TEXTAREA' },
      { tagName: 'SELECT' },
      { tagName: 'DIV', isContentEditable: true },
      { tagName: 'SPAN', closest: (sel: string) => (sel.includes('contenteditable') ? {} : null) },
    ]) {
      const e = key({ key: 'v', code: 'KeyV', target });
      expect(s.dispatch(e)).toBe(false);
      expect(e.prevented).toBe(false);
    }
    expect(ran).toEqual([]);
  });

  it('ignores keys while an input method is composing', () => {
    const { s, ran } = setup();
    expect(s.dispatch(key({ key: 'v', code: 'KeyV', isComposing: true }))).toBe(false);
    expect(ran).toEqual([]);
  });

  it('matches the physical key when a Chinese input method changes event.key', () => {
    const { s, ran } = setup();
    // Microsoft Pinyin / Sogou in Chinese mode: full-width punctuation…
    s.dispatch(key({ key: '？', code: 'Slash', shiftKey: true }));
    // …and "Process" for a letter it takes.
    s.dispatch(key({ key: 'Process', code: 'KeyR', keyCode: 229 }));
    s.dispatch(key({ key: 'ｖ', code: 'KeyV' }));
    expect(ran).toEqual(['help', 'reject', 'verify']);
  });

  it('leaves Ctrl, Alt and Meta combinations to the browser', () => {
    const { s, ran } = setup();
    for (const mod of ['ctrlKey', 'altKey', 'metaKey'] as const) {
      expect(s.dispatch(key({ key: 'r', code: 'KeyR', [mod]: true }))).toBe(false);
    }
    expect(ran).toEqual([]);
  });

  it('does nothing for a shortcut no view has made live, and the latest handler wins', () => {
    const s = createShortcuts(TABLE);
    expect(s.dispatch(key({ key: 'v', code: 'KeyV' }))).toBe(false);
    const first = vi.fn();
    const second = vi.fn();
    s.register('verify', first);
    const undo = s.register('verify', second);
    expect([...s.live.value]).toEqual(['verify']);
    s.dispatch(key({ key: 'v', code: 'KeyV' }));
    undo();
    s.dispatch(key({ key: 'v', code: 'KeyV' }));
    expect(second).toHaveBeenCalledTimes(1);
    expect(first).toHaveBeenCalledTimes(1);
  });

  it('ignores an event something else already handled', () => {
    const { s, ran } = setup();
    expect(s.dispatch(key({ key: 'v', code: 'KeyV', defaultPrevented: true }))).toBe(false);
    expect(ran).toEqual([]);
  });

  it('refuses a table that gives one key two meanings in one scope', () => {
    expect(() =>
      createShortcuts([
        { id: 'a', keys: ['x'], description: 'a', scope: 'tip' },
        { id: 'b', keys: ['x'], description: 'b', scope: 'tip' },
      ]),
    ).toThrow(/x is used by both a and b/);
  });
});

describe('keys', () => {
  it('are named as the table writes them', () => {
    expect(keyOf(key({ key: 'Escape', code: 'Escape' }))).toBe('Escape');
    expect(keyOf(key({ key: 'Unidentified', code: 'Digit3' }))).toBe('3');
    expect(keyOf(key({ key: 'Dead', code: 'Unknown' }))).toBeNull();
  });

  it('are shown plainly', () => {
    expect(keyLabel('v')).toBe('V');
    expect(keyLabel('V')).toBe('Shift+V');
    expect(keyLabel('?')).toBe('?');
    expect(keyLabel('Escape')).toBe('Esc');
  });
});
