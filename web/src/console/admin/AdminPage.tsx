import type { ComponentType } from 'preact';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useConsole } from '../state';
import type { ConsoleKey } from '../i18n/keys';
import './admin.css';

/** A section's view gets the rest of the path after its own name ("" or an id, "new"). */
export interface SectionProps {
  sub: string;
}

interface Section {
  id: string;
  label: ConsoleKey;
  load: () => Promise<ComponentType<SectionProps>>;
}

// Each section is its own chunk, loaded when opened: an administrator
// setting up units never loads the audit viewer.
const SECTIONS: readonly Section[] = [
  { id: 'units', label: 'admin.nav.units', load: () => import('./units/UnitsSection').then((m) => m.UnitsSection) },
  { id: 'staff', label: 'admin.nav.staff', load: () => import('./staff/StaffSection').then((m) => m.StaffSection) },
  {
    id: 'categories',
    label: 'admin.nav.categories',
    load: () => import('./texts/TextsSection').then((m) => m.CategoriesSection),
  },
  {
    id: 'reject-reasons',
    label: 'admin.nav.reject_reasons',
    load: () => import('./texts/TextsSection').then((m) => m.RejectReasonsSection),
  },
  { id: 'outcomes', label: 'admin.nav.outcomes', load: () => import('./texts/TextsSection').then((m) => m.OutcomesSection) },
  { id: 'webhooks', label: 'admin.nav.webhooks', load: () => import('./webhooks/WebhooksSection').then((m) => m.WebhooksSection) },
  { id: 'audit', label: 'admin.nav.audit', load: () => import('./audit/AuditSection').then((m) => m.AuditSection) },
];

const loaded = new Map<string, ComponentType<SectionProps>>();

function useSection(section: Section | undefined) {
  const [, setTick] = useState(0);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!section || loaded.has(section.id)) return;
    let live = true;
    setFailed(false);
    section
      .load()
      .then((c) => {
        loaded.set(section.id, c);
        if (live) setTick((n) => n + 1);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [section?.id]);
  return { Component: section ? loaded.get(section.id) : undefined, failed };
}

export function AdminPage() {
  const { i18n } = useConsole();
  const { t } = i18n;
  const { path, route } = useLocation();
  const rest = path.replace(/^\/console\/admin\/?/, '');
  const [id = '', ...sub] = rest.split('/');
  const section = SECTIONS.find((s) => s.id === id);
  const { Component, failed } = useSection(section);

  useLayoutEffect(() => {
    if (id === '') route('/console/admin/units', true);
  }, [id]);

  return (
    <div class="admin">
      <nav class="admin__nav" aria-label={t('admin.nav.label')}>
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <a href={`/console/admin/${s.id}`} aria-current={s.id === id ? 'page' : undefined}>
                {t(s.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="admin__body">
        {id !== '' && !section && (
          <div class="page-message">
            <h1>{t('console.not_found.heading')}</h1>
            <p>{t('console.not_found.text')}</p>
            <a href="/console/admin/units">{t('admin.nav.units')}</a>
          </div>
        )}
        {failed && (
          <div class="page-message" role="alert">
            <p>{t('console.load_failed')}</p>
            <button type="button" class="button" onClick={() => location.reload()}>
              {t('action.retry')}
            </button>
          </div>
        )}
        {section && !Component && !failed && (
          <p class="admin__loading" aria-busy="true">
            {t('state.loading')}
          </p>
        )}
        {Component && <Component sub={sub.join('/')} />}
      </div>
    </div>
  );
}
