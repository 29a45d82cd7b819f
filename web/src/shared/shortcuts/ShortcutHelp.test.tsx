// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/i18n';
import { I18nContext } from '../i18n/preact';
import zh from '../i18n/zh-CN.json';
import { ShortcutHelp } from './ShortcutHelp';
import { createShortcuts } from './shortcuts';

const messages = { ...zh, 'queue.verify': '核实', 'queue.scope': '审核' };
const TABLE = [
  { id: 'help', keys: ['?'], description: 'shortcuts.help', scope: 'shortcuts.scope.global' },
  { id: 'verify', keys: ['v'], description: 'queue.verify', scope: 'queue.scope' },
  { id: 'reject', keys: ['r'], description: 'queue.reject', scope: 'queue.scope' },
];

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

function show(shortcuts: ReturnType<typeof createShortcuts>) {
  root = document.createElement('div');
  document.body.append(root);
  const i18n = createI18n<string>({ lang: 'zh-CN', messages, load: async () => messages, storage: null });
  act(() => {
    render(
      <I18nContext.Provider value={i18n}>
        <ShortcutHelp shortcuts={shortcuts} open onClose={() => undefined} />
      </I18nContext.Provider>,
      root,
    );
  });
}

describe('the ? overlay', () => {
  it('lists the live shortcuts of the table, by scope, with their keys', () => {
    const s = createShortcuts(TABLE);
    s.register('help', () => undefined);
    s.register('verify', () => undefined);
    show(s);

    const tables = [...root.querySelectorAll('table')];
    expect(tables.map((t) => t.querySelector('caption')?.textContent)).toEqual(['任何页面', '审核']);
    const rows = [...root.querySelectorAll('tbody tr')].map((r) =>
      [...r.querySelectorAll('td')].map((td) => td.textContent),
    );
    // `reject` has no handler (its view is not shown): not listed.
    expect(rows).toEqual([
      ['?', '显示键盘快捷键'],
      ['V', '核实'],
    ]);
  });
});
