import { Fragment } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/preact';
import { keyLabel, type ShortcutDef, type Shortcuts } from './shortcuts';

interface Props {
  shortcuts: Shortcuts<ShortcutDef>;
  open: boolean;
  onClose(): void;
}

/** The `?` overlay: the live shortcuts of the table, grouped by scope. */
export function ShortcutHelp({ shortcuts, open, onClose }: Props) {
  const { t } = useI18n<string>();
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const live = shortcuts.live.value;
  const scopes: string[] = [];
  for (const def of shortcuts.table) {
    if (live.has(def.id) && !scopes.includes(def.scope)) scopes.push(def.scope);
  }

  return (
    <dialog ref={ref} class="dialog shortcut-help" aria-labelledby="shortcut-help-title" onClose={onClose}>
      <div class="dialog__head">
        <h2 id="shortcut-help-title">{t('shortcuts.title')}</h2>
        <button type="button" class="button button--quiet" onClick={onClose}>
          {t('action.close')}
        </button>
      </div>
      {open &&
        scopes.map((scope) => (
          <table class="shortcut-help__table" key={scope}>
            <caption>{t(scope)}</caption>
            <thead>
              <tr>
                <th scope="col">{t('shortcuts.key')}</th>
                <th scope="col">{t('shortcuts.action')}</th>
              </tr>
            </thead>
            <tbody>
              {shortcuts.table
                .filter((def) => def.scope === scope && live.has(def.id))
                .map((def) => (
                  <tr key={def.id}>
                    <td>
                      {def.keys.map((k, i) => (
                        <Fragment key={k}>
                          {i > 0 && ' '}
                          <kbd>{keyLabel(k)}</kbd>
                        </Fragment>
                      ))}
                    </td>
                    <td>{t(def.description)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        ))}
    </dialog>
  );
}
