import { useEffect, useState } from 'preact/hooks';
import { LocationProvider } from 'preact-iso';
import { I18nContext } from '../shared/i18n/preact';
import { ShortcutsContext, listenForShortcuts } from '../shared/shortcuts/preact';
import { ConsoleContext, useConsole, type ConsoleState } from './state';
import { SignIn } from './signin/SignIn';
import { Layout } from './Layout';

/**
 * Signed out, the console shows the sign-in form at whatever address it is
 * on, so that signing in (again, after a session ended) resumes that page.
 */
function SessionGate() {
  const state = useConsole();
  const s = state.session.state.value;
  if (s.status === 'starting') return <Starting />;
  if (s.status === 'signed_out') return <SignIn ended={s.ended} unreachable={s.unreachable === true} />;
  return <Layout user={s.user} />;
}

function Starting() {
  const { i18n } = useConsole();
  // Only shown when resuming takes a moment; an empty page would look broken.
  const [late, setLate] = useState(false);
  useEffect(() => {
    const h = setTimeout(() => setLate(true), 300);
    return () => clearTimeout(h);
  }, []);
  return (
    <main class="starting" aria-busy="true">
      {late && <p>{i18n.t('console.starting')}</p>}
    </main>
  );
}

export function App({ state }: { state: ConsoleState }) {
  useEffect(() => listenForShortcuts(state.shortcuts), [state]);
  return (
    <ConsoleContext.Provider value={state}>
      <I18nContext.Provider value={state.i18n}>
        <ShortcutsContext.Provider value={state.shortcuts}>
          <LocationProvider scope="/console">
            <SessionGate />
          </LocationProvider>
        </ShortcutsContext.Provider>
      </I18nContext.Provider>
    </ConsoleContext.Provider>
  );
}
