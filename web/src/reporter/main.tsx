import { render } from 'preact';
import '../shared/ui/base.css';
import './reporter.css';
import { applyDocumentLang } from '../shared/i18n/i18n';
import { App } from './App';
import { startReporterState } from './state';

const state = await startReporterState();
applyDocumentLang(state.i18n.lang.value, state.i18n.t('reporter.title'));
// The form's one call, started before the first render: on a slow network
// every round trip saved is time to a usable form.
void state.loadCategories();
void state.session.start();
void state.outbox.start();
render(<App state={state} />, document.getElementById('app')!);

// The app shell is cached by a service worker (src/reporter/sw/sw.js, built
// to /sw.js with the list of this build's files), so the page opens without
// a network; the API's answers are never cached.
if ('serviceWorker' in navigator) {
  addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  });
}
