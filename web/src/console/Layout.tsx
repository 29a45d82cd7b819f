import { useLayoutEffect, useState } from 'preact/hooks';
import { lazy, Route, Router, useLocation } from 'preact-iso';
import type { ComponentType } from 'preact';
import type { Me } from '../shared/api/types';
import { LanguageSwitch } from '../shared/ui/LanguageSwitch';
import { ShortcutHelp } from '../shared/shortcuts/ShortcutHelp';
import { useShortcut } from '../shared/shortcuts/preact';
import { DESKS, desksFor, homeOf } from './desks';
import { useConsole } from './state';

function LoadFailed() {
  const { i18n } = useConsole();
  return (
    <div class="page-message" role="alert">
      <p>{i18n.t('console.load_failed')}</p>
      <button type="button" class="button" onClick={() => location.reload()}>
        {i18n.t('action.retry')}
      </button>
    </div>
  );
}

// One lazy component per desk, made once: each desk is its own chunk.
// A chunk that fails to load (offline) shows why, with a way to retry.
const PAGES = new Map<string, ComponentType>(
  DESKS.map((d) => [d.id, lazy(() => d.load().catch(() => LoadFailed))]),
);

function Home({ to }: { to: string }) {
  const { route } = useLocation();
  useLayoutEffect(() => route(to, true), [to]);
  return null;
}

function NotFound({ home }: { home: string }) {
  const { i18n } = useConsole();
  return (
    <div class="page-message">
      <h1>{i18n.t('console.not_found.heading')}</h1>
      <p>{i18n.t('console.not_found.text')}</p>
      <a href={home}>{i18n.t('console.not_found.home')}</a>
    </div>
  );
}

export function Layout({ user }: { user: Me }) {
  const { session, i18n, shortcuts } = useConsole();
  const { t } = i18n;
  const { path, route } = useLocation();
  const [help, setHelp] = useState(false);
  useShortcut('help', () => setHelp(true));

  const desks = desksFor(user.role);
  const home = homeOf(user.role);

  async function signOut() {
    await session.signOut();
    // The next person to sign in on this computer starts at their own desk.
    route('/console/', true);
  }

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t('console.skip')}
      </a>
      <header class="topbar">
        <span class="topbar__brand">{t('console.brand')}</span>
        <nav class="topbar__nav" aria-label={t('console.nav.label')}>
          <ul>
            {desks.map((d) => {
              const current = path === d.path || path.startsWith(`${d.path}/`);
              return (
                <li key={d.id}>
                  <a href={d.path} aria-current={current ? 'page' : undefined}>
                    {t(d.label)}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <div class="topbar__end">
          <LanguageSwitch class="topbar__button" />
          <span class="topbar__user">
            <span class="visually-hidden">{t('console.user.label')} </span>
            <span class="topbar__username">{user.username ?? user.phone ?? ''}</span>
            <span class="topbar__role">{t(`role.${user.role}`)}</span>
          </span>
          <button type="button" class="topbar__button" onClick={signOut}>
            {t('console.signout')}
          </button>
        </div>
      </header>
      <main id="main" class="shell__main" tabIndex={-1}>
        <Router>
          <Route path="/console" component={Home} to={home} />
          {desks.map((d) => (
            <Route key={d.id} path={`${d.path}/:rest*`} component={PAGES.get(d.id)!} />
          ))}
          <Route default component={NotFound} home={home} />
        </Router>
      </main>
      <ShortcutHelp shortcuts={shortcuts} open={help} onClose={() => setHelp(false)} />
    </div>
  );
}
