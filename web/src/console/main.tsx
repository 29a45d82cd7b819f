import { render } from 'preact';
import '../shared/ui/base.css';
import './console.css';
import { applyDocumentLang } from '../shared/i18n/i18n';
import { App } from './App';
import { startConsoleState } from './state';

const state = await startConsoleState();
applyDocumentLang(state.i18n.lang.value, state.i18n.t('console.title'));
render(<App state={state} />, document.getElementById('app')!);
void state.session.start();
