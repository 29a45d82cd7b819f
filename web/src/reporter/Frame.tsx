import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { LanguageSwitch } from '../shared/ui/LanguageSwitch';
import { useReporter } from './state';

function Nav() {
  const { i18n, unread } = useReporter();
  const { t } = i18n;
  const { path } = useLocation();
  const items = [
    { href: '/', label: t('nav.report'), current: path === '/' || path.startsWith('/sent') },
    { href: '/follow', label: t('nav.follow'), current: path.startsWith('/follow') },
    { href: '/me', label: t('nav.me'), current: path.startsWith('/me') },
  ];
  return (
    <nav class="frame__nav" aria-label={t('nav.label')}>
      {items.map((i) => (
        <a key={i.href} href={i.href} aria-current={i.current ? 'page' : undefined}>
          {i.label}
          {i.href === '/me' && unread.value > 0 && (
            <span class="badge">
              <span class="visually-hidden">{t('nav.unread', { n: unread.value })}</span>
              <span aria-hidden="true">{unread.value}</span>
            </span>
          )}
        </a>
      ))}
    </nav>
  );
}

/**
 * The phone frame: a slim top bar with the three places of the app, the
 * page, and the bottom area within reach of a thumb, where each page puts
 * its main action ("发送举报").
 */
export function Frame({ children, actions }: { children: ComponentChildren; actions?: ComponentChildren }) {
  const { t } = useReporter().i18n;
  return (
    <div class="frame">
      <a class="skip-link" href="#main">
        {t('reporter.skip')}
      </a>
      <header class="frame__bar">
        <span class="frame__brand">{t('reporter.brand')}</span>
        <Nav />
      </header>
      <main class="frame__main" id="main" tabIndex={-1}>
        {children}
      </main>
      <footer class="frame__thumb" aria-label={t('reporter.actions')}>
        {actions && <div class="frame__actions">{actions}</div>}
        <LanguageSwitch class="button button--quiet frame__lang" />
      </footer>
    </div>
  );
}

