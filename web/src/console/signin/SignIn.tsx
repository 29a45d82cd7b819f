import { useRef, useState } from 'preact/hooks';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import { isStaff } from '../../shared/api/types';
import { LanguageSwitch } from '../../shared/ui/LanguageSwitch';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { useConsole } from '../state';

interface Props {
  /** The session ended by itself: say so, and that signing in resumes the page. */
  ended: boolean;
  unreachable: boolean;
}

type Outcome = { kind: 'problem'; problem: Problem } | { kind: 'not_staff' } | null;

export function SignIn({ ended, unreachable }: Props) {
  const { api, session, i18n } = useConsole();
  const { t } = i18n;
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const password = useRef<HTMLInputElement>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setOutcome(null);
    try {
      const pair = await call(
        api.POST('/v1/auth/login', {
          body: { login: String(form.get('username') ?? ''), password: String(form.get('password') ?? '') },
        }),
      );
      if (!isStaff(pair.user.role)) {
        // A citizen's account: sign it straight out again, keep nothing.
        await api.POST('/v1/auth/logout', { body: { refresh_token: pair.refresh_token } }).catch(() => undefined);
        setOutcome({ kind: 'not_staff' });
        return;
      }
      await session.signIn(pair);
    } catch (err) {
      const problem = toProblem(err);
      setOutcome({ kind: 'problem', problem });
      if (problem.code === 'auth.invalid_credentials' && password.current) {
        password.current.value = '';
        password.current.focus();
      }
    } finally {
      setBusy(false);
    }
  }

  const invalid = outcome?.kind === 'problem' && outcome.problem.code === 'auth.invalid_credentials';

  return (
    <div class="signin">
      <header class="signin__bar">
        <span class="signin__brand">{t('console.brand')}</span>
        <LanguageSwitch />
      </header>
      <main class="signin__main">
        <form class="signin__card" onSubmit={submit} aria-labelledby="signin-heading" aria-describedby="signin-status">
          <h1 id="signin-heading">{t('console.signin.heading')}</h1>
          <div id="signin-status">
            {ended && outcome === null && (
              <div class="notice" role="status">
                <p>{t('console.signin.ended')}</p>
              </div>
            )}
            {unreachable && !ended && outcome === null && (
              <div class="notice" role="status">
                <p>{t('console.signin.unreachable')}</p>
              </div>
            )}
            {outcome?.kind === 'problem' && <ProblemMessage problem={outcome.problem} />}
            {outcome?.kind === 'not_staff' && (
              <div class="problem" role="alert">
                <p>{t('console.signin.not_staff')}</p>
                <p>
                  <a href="/">{t('console.signin.reporter_link')}</a>
                </p>
              </div>
            )}
          </div>
          <div class="field">
            <label for="signin-username">{t('console.signin.username')}</label>
            <input
              id="signin-username"
              name="username"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              maxLength={64}
              aria-invalid={invalid ? 'true' : undefined}
            />
          </div>
          <div class="field">
            <label for="signin-password">{t('console.signin.password')}</label>
            <input
              id="signin-password"
              ref={password}
              name="password"
              type="password"
              autocomplete="current-password"
              required
              maxLength={1024}
              aria-invalid={invalid ? 'true' : undefined}
            />
          </div>
          <button type="submit" class="button signin__submit" disabled={busy}>
            {busy ? t('console.signin.submitting') : t('console.signin.submit')}
          </button>
        </form>
      </main>
    </div>
  );
}
