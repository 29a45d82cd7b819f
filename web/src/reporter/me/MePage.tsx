// With an account: register or sign in with a mobile number, then my
// reports (state in words), what I was told (unread first), and my points.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { call, ApiProblem, type Problem } from '../../shared/api/problem';
import type { Schemas, TokenPair } from '../../shared/api/types';
import { formatDateTime } from '../../shared/format/time';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { Frame } from '../Frame';
import { useReporter } from '../state';
import { parseMobile } from '../report/contact';
import { RewardHistory, TipDetail, type TipSource, type Rewards } from '../follow/TipDetail';
import { textIn } from '../status';

type TipSummary = Schemas['TipSummary'];
type NotificationPage = Schemas['NotificationPage'];

const asProblem = (e: unknown): Problem => (e instanceof ApiProblem ? e : { status: 0, code: 'network.unreachable' });

export function MePage() {
  const { session } = useReporter();
  const s = session.state.value;
  if (s.status === 'starting') return <Frame>{null}</Frame>;
  if (s.status === 'signed_in' && s.user.role === 'citizen') return <Mine />;
  return <SignIn ended={s.status === 'signed_out' && s.ended} staff={s.status === 'signed_in'} />;
}

function SignIn({ ended, staff }: { ended: boolean; staff: boolean }) {
  const { api, session, i18n } = useReporter();
  const { t } = i18n;
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const phoneOk = phone.trim() === '' || parseMobile(phone) !== null;

  useEffect(() => {
    // A staff account signed in here: this app is for citizens.
    if (staff) void session.signOut();
  }, [staff]);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const pair: TokenPair =
        mode === 'login'
          ? await call(api.POST('/v1/auth/login', { body: { login: phone, password } }))
          : await call(api.POST('/v1/auth/register', { body: { phone, password } }));
      if (pair.user.role !== 'citizen') {
        setProblem({ status: 403, code: 'reporter.staff_account' });
        return;
      }
      await session.signIn(pair);
    } catch (err) {
      setProblem(asProblem(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Frame
      actions={
        <button type="submit" form="account-form" class="button button--send" disabled={busy}>
          {mode === 'login' ? t('me.signin') : t('me.register')}
        </button>
      }
    >
      <h1>{mode === 'login' ? t('me.signin.heading') : t('me.register.heading')}</h1>
      <p>{t('me.intro')}</p>
      {ended && <div class="notice" role="status"><p>{t('me.ended')}</p></div>}
      <form id="account-form" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="phone">{t('me.phone')}</label>
          <input
            id="phone"
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            value={phone}
            onInput={(e) => setPhone(e.currentTarget.value)}
            aria-invalid={!phoneOk ? 'true' : undefined}
            aria-describedby="phone-msg"
            required
          />
          <p id="phone-msg" class="contact__msg">
            {!phoneOk && <span class="error-text">{t('error.user.invalid_phone')}</span>}
          </p>
        </div>
        <div class="field">
          <label for="password">{t('me.password')}</label>
          <input
            id="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            minLength={mode === 'register' ? 8 : undefined}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            aria-describedby={mode === 'register' ? 'password-hint' : undefined}
            required
          />
          {mode === 'register' && (
            <p id="password-hint" class="muted">
              {t('me.password.hint')}
            </p>
          )}
        </div>
        {problem && <ProblemMessage problem={problem} />}
      </form>
      <p>
        <button
          type="button"
          class="button button--quiet"
          onClick={() => {
            setMode(mode === 'login' ? 'register' : 'login');
            setProblem(null);
          }}
        >
          {mode === 'login' ? t('me.to_register') : t('me.to_signin')}
        </button>
      </p>
      <p class="muted">{t('me.anonymous_too')}</p>
    </Frame>
  );
}

function Mine() {
  const { api, session, i18n, refreshUnread } = useReporter();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const user = session.state.value.status === 'signed_in' ? session.state.value.user : null;
  const [tips, setTips] = useState<TipSummary[] | null>(null);
  const [notes, setNotes] = useState<NotificationPage | null>(null);
  const [rewards, setRewards] = useState<Rewards | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function load() {
    try {
      const [a, b, c] = await Promise.all([
        call(api.GET('/v1/tips', { params: { query: { limit: 50 } } })),
        call(api.GET('/v1/me/notifications', { params: { query: { limit: 50 } } })),
        call(api.GET('/v1/me/rewards')),
      ]);
      setTips(a.items);
      setNotes(b);
      setRewards(c);
      setProblem(null);
      void refreshUnread();
    } catch (e) {
      setProblem(asProblem(e));
    }
  }
  useEffect(() => {
    void load();
  }, []);

  return (
    <Frame
      actions={
        <a class="button button--send" href="/">
          {t('me.new_report')}
        </a>
      }
    >
      <h1>{t('me.heading')}</h1>
      <p class="muted">
        {t('me.signed_in_as', { phone: user?.phone ?? '' })}{' '}
        <button type="button" class="button button--small button--quiet" onClick={() => void session.signOut()}>
          {t('me.signout')}
        </button>
      </p>
      {problem && <ProblemMessage problem={problem} onRetry={() => void load()} />}

      <section class="section" aria-labelledby="points-heading">
        <h2 id="points-heading" class="section__title">
          {t('me.points.heading')}
        </h2>
        {rewards ? (
          <>
            <p class="points" data-testid="points-balance">
              {t('me.points.balance', { n: rewards.balance })}
            </p>
            <RewardHistory rewards={rewards} />
          </>
        ) : (
          <p>{t('state.loading')}</p>
        )}
      </section>

      <section class="section" aria-labelledby="notes-heading">
        <h2 id="notes-heading" class="section__title">
          {t('tip.notes.heading')}
          {notes && notes.unread > 0 && <span class="badge">{t('tip.notes.unread', { n: notes.unread })}</span>}
        </h2>
        {notes ? (
          notes.items.length === 0 ? (
            <p class="muted">{t('tip.notes.none')}</p>
          ) : (
            <ul class="list">
              {notes.items.map((n) => (
                <li key={n.id} class={n.read_at ? 'note' : 'note note--unread'}>
                  {!n.read_at && <span class="visually-hidden">{t('tip.notes.new')} </span>}
                  {n.tip_id ? <a href={`/me/tips/${n.tip_id}`}>{textIn(n, lang)}</a> : <p>{textIn(n, lang)}</p>}{' '}
                  <time class="muted" dateTime={n.created_at}>
                    {formatDateTime(n.created_at, lang)}
                  </time>
                </li>
              ))}
            </ul>
          )
        ) : (
          <p>{t('state.loading')}</p>
        )}
        {notes && notes.unread > 0 && (
          <button
            type="button"
            class="button button--quiet"
            onClick={async () => {
              try {
                await call(api.POST('/v1/me/notifications/read', { body: {} }));
                await load();
              } catch (e) {
                setProblem(asProblem(e));
              }
            }}
          >
            {t('tip.notes.mark_read')}
          </button>
        )}
      </section>

      <section class="section" aria-labelledby="tips-heading">
        <h2 id="tips-heading" class="section__title">
          {t('me.tips.heading')}
        </h2>
        {tips === null ? (
          <p>{t('state.loading')}</p>
        ) : tips.length === 0 ? (
          <p class="muted">{t('me.tips.none')}</p>
        ) : (
          <ul class="list">
            {tips.map((tip) => (
              <li key={tip.id}>
                <a href={`/me/tips/${tip.id}`} class="list__link">
                  <span class="num">{tip.reference}</span>
                  <span class={`label label--${tip.status}`}>{t(`status.${tip.status}`)}</span>
                  <time class="muted" dateTime={tip.created_at}>
                    {formatDateTime(tip.created_at, lang)}
                  </time>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Frame>
  );
}

export function MyTipPage({ id }: { id: string }) {
  const { api, session, i18n, refreshUnread } = useReporter();
  const { t } = i18n;
  const signedIn = session.state.value.status === 'signed_in';
  const source = useMemo<TipSource>(
    () => ({
      key: id,
      tip: () => call(api.GET('/v1/tips/{id}', { params: { path: { id } } })),
      messages: () => call(api.GET('/v1/tips/{id}/messages', { params: { path: { id } } })),
      answer: (body) => call(api.POST('/v1/tips/{id}/messages', { params: { path: { id } }, body: { body } })),
      async notifications() {
        const page = await call(api.GET('/v1/me/notifications', { params: { query: { limit: 100 } } }));
        const items = page.items.filter((n) => n.tip_id === id);
        return { items, unread: items.filter((n) => !n.read_at).length };
      },
      async markRead(ids) {
        await call(api.POST('/v1/me/notifications/read', { body: { ids } }));
        await refreshUnread();
      },
      async rewards() {
        const r = await call(api.GET('/v1/me/rewards'));
        const history = r.history.filter((x) => x.tip_id === id);
        return { balance: history.reduce((s, x) => s + x.points, 0), history };
      },
    }),
    [id],
  );
  if (session.state.value.status === 'starting') return <Frame>{null}</Frame>;
  if (!signedIn) return <MePage />;
  return (
    <Frame>
      <p>
        <a href="/me">{t('me.back')}</a>
      </p>
      <TipDetail source={source} />
    </Frame>
  );
}
