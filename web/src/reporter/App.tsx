import type { ComponentType } from 'preact';
import { useEffect } from 'preact/hooks';
import { ErrorBoundary, lazy, LocationProvider, Route, Router } from 'preact-iso';
import { I18nContext } from '../shared/i18n/preact';
import { ReporterContext, useReporter, type ReporterState } from './state';
import { ReportPage } from './report/ReportPage';
import { Frame } from './Frame';

export { Frame };

function LoadFailed() {
  const { t } = useReporter().i18n;
  return (
    <Frame>
      <div class="problem" role="alert">
        <p>{t('reporter.load_failed')}</p>
        <button type="button" class="button" onClick={() => location.reload()}>
          {t('action.retry')}
        </button>
      </div>
    </Frame>
  );
}

// Everything but the report form is a lazy chunk: the first screen on a
// slow network is the one a reporter came for.
// Route components get their path parameters as props.
type Page = ComponentType<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const lazyPage = (load: () => Promise<Page>) => lazy(() => load().catch(() => LoadFailed as Page));
const SentPage = lazyPage(() => import('./report/SentPage').then((m) => m.SentPage));
const FollowPage = lazyPage(() => import('./follow/FollowPage').then((m) => m.FollowPage));
const ReceiptPage = lazyPage(() => import('./follow/FollowPage').then((m) => m.ReceiptPage));
const MePage = lazyPage(() => import('./me/MePage').then((m) => m.MePage));
const MyTipPage = lazyPage(() => import('./me/MePage').then((m) => m.MyTipPage));

function Online() {
  const { online, outbox, session, refreshUnread } = useReporter();
  useEffect(() => {
    const on = () => {
      online.value = true;
      void outbox.pump();
    };
    const off = () => {
      online.value = false;
    };
    addEventListener('online', on);
    addEventListener('offline', off);
    return () => {
      removeEventListener('online', on);
      removeEventListener('offline', off);
    };
  }, []);
  // A citizen who signs in sends their drafts as themselves from then on.
  const status = session.state.value.status;
  useEffect(() => {
    if (status === 'signed_in') void outbox.pump();
    void refreshUnread();
  }, [status]);
  return null;
}

export function App({ state }: { state: ReporterState }) {
  return (
    <ReporterContext.Provider value={state}>
      <I18nContext.Provider value={state.i18n}>
        <LocationProvider>
          <Online />
          <ErrorBoundary>
            <Router>
              <Route path="/sent/:id" component={SentPage} />
              <Route path="/follow" component={FollowPage} />
              <Route path="/follow/:code" component={ReceiptPage} />
              <Route path="/me" component={MePage} />
              <Route path="/me/tips/:id" component={MyTipPage} />
              {/* The form is home, and any other address of the app. */}
              <Route default component={ReportPage} />
            </Router>
          </ErrorBoundary>
        </LocationProvider>
      </I18nContext.Provider>
    </ReporterContext.Provider>
  );
}
