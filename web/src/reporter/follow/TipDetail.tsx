// One tip as its reporter follows it — by receipt or in "my reports": the
// state in words, the outcome's text, the conversation with the moderators
// (answering a question puts the tip back in review), what the reporter
// was told, the points it earned, the timeline and what was reported.

import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, type Problem } from '../../shared/api/problem';
import type { Schemas } from '../../shared/api/types';
import { formatDateTime } from '../../shared/format/time';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import type { ReporterKey } from '../i18n/keys';
import { useReporter } from '../state';
import { forwardedTo, latest, noteIn, textIn, type TipView } from '../status';

export type MessageView = Schemas['MessageView'];
export type NotificationView = Schemas['NotificationView'];
export type Rewards = Schemas['Rewards'];

/** The points' history, newest first: what each was for and when. */
export function RewardHistory({ rewards }: { rewards: Rewards }) {
  const { t, lang } = useReporter().i18n;
  if (rewards.history.length === 0) return null;
  return (
    <ul class="list">
      {rewards.history.map((r, i) => (
        <li key={i}>
          {t(`reward.${r.reason}`, { n: r.points })}{' '}
          <time class="muted" dateTime={r.at}>
            {formatDateTime(r.at, lang.value)}
          </time>
        </li>
      ))}
    </ul>
  );
}

export interface TipSource {
  /** Changes when the source is another tip. */
  key: string;
  tip(): Promise<TipView>;
  messages(): Promise<MessageView[]>;
  answer(body: string): Promise<unknown>;
  /** This tip's notifications and how many are unread. */
  notifications(): Promise<{ items: NotificationView[]; unread: number }>;
  markRead(ids: string[]): Promise<unknown>;
  /** This tip's points. */
  rewards(): Promise<Rewards>;
}

interface Loaded {
  tip: TipView;
  messages: MessageView[];
  notes: { items: NotificationView[]; unread: number };
  rewards: Rewards;
}

const REFRESH_MS = 20_000;

export function TipDetail({ source }: { source: TipSource }) {
  const { i18n } = useReporter();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [data, setData] = useState<Loaded | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(false);

  async function load() {
    setLoading(true);
    try {
      const [tip, messages, notes, rewards] = await Promise.all([
        source.tip(),
        source.messages(),
        source.notifications(),
        source.rewards(),
      ]);
      setData({ tip, messages, notes, rewards });
      setProblem(null);
    } catch (e) {
      setProblem(e instanceof ApiProblem ? e : { status: 0, code: 'network.unreachable' });
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    void load();
    const tick = () => {
      if (document.visibilityState === 'visible') void load();
    };
    const h = setInterval(tick, REFRESH_MS);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(h);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [source.key]);

  if (!data) {
    return problem ? <ProblemMessage problem={problem} onRetry={() => void load()} /> : <p>{t('state.loading')}</p>;
  }
  const { tip, messages, notes, rewards } = data;
  const words = statusWords(tip, lang, t);
  const open = !['withdrawn', 'rejected', 'duplicate', 'closed'].includes(tip.status);

  return (
    <article class="tip" aria-labelledby="tip-heading">
      <h1 id="tip-heading">{t('tip.heading', { reference: tip.reference })}</h1>
      <div class={`status status--${tip.status}`} role="status">
        <p class="status__words" data-testid="tip-status">
          {words.title}
        </p>
        {words.detail && <p class="status__detail">{words.detail}</p>}
      </div>
      <div class="row">
        <button type="button" class="button button--quiet" onClick={() => void load()} disabled={loading}>
          {loading ? t('state.loading') : t('tip.refresh')}
        </button>
      </div>
      {problem && <ProblemMessage problem={problem} onRetry={() => void load()} />}

      <Conversation
        messages={messages}
        asked={tip.status === 'needs_info'}
        canWrite={open}
        onSend={async (body) => {
          await source.answer(body);
          await load();
        }}
      />

      <section class="section" aria-labelledby="notes-heading">
        <h2 id="notes-heading" class="section__title">
          {t('tip.notes.heading')}
          {notes.unread > 0 && <span class="badge">{t('tip.notes.unread', { n: notes.unread })}</span>}
        </h2>
        {notes.items.length === 0 ? (
          <p class="muted">{t('tip.notes.none')}</p>
        ) : (
          <ul class="list">
            {notes.items.map((n) => (
              <li key={n.id} class={n.read_at ? 'note' : 'note note--unread'}>
                {!n.read_at && <span class="visually-hidden">{t('tip.notes.new')} </span>}
                <p>{textIn(n, lang)}</p>
                <time class="muted" dateTime={n.created_at}>
                  {formatDateTime(n.created_at, lang)}
                </time>
              </li>
            ))}
          </ul>
        )}
        {notes.unread > 0 && (
          <button
            type="button"
            class="button button--quiet"
            onClick={async () => {
              await source.markRead(notes.items.filter((n) => !n.read_at).map((n) => n.id));
              await load();
            }}
          >
            {t('tip.notes.mark_read')}
          </button>
        )}
      </section>

      <section class="section" aria-labelledby="points-heading">
        <h2 id="points-heading" class="section__title">
          {t('tip.points.heading')}
        </h2>
        <p data-testid="tip-points">{t('tip.points.total', { n: rewards.balance })}</p>
        <RewardHistory rewards={rewards} />
      </section>

      <section class="section" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading" class="section__title">
          {t('tip.timeline.heading')}
        </h2>
        <ol class="timeline">
          {tip.history.map((h, i) => (
            <li key={i}>
              <time dateTime={h.at}>{formatDateTime(h.at, lang)}</time>{' '}
              <span>{t(`status.${h.status}`)}</span>
              {h.outcome && <p>{textIn(h.outcome, lang)}</p>}
              {h.reason && <p>{textIn(h.reason, lang)}</p>}
              {h.note && <p class="muted">{noteIn(h.note, lang)}</p>}
            </li>
          ))}
        </ol>
      </section>

      <section class="section" aria-labelledby="what-heading">
        <h2 id="what-heading" class="section__title">
          {t('tip.what.heading')}
        </h2>
        <dl class="facts">
          <dt>{t('tip.what.category')}</dt>
          <dd>
            <CategoryName code={tip.category} />
          </dd>
          {tip.description && (
            <>
              <dt>{t('tip.what.description')}</dt>
              <dd>{tip.description}</dd>
            </>
          )}
          {tip.address && (
            <>
              <dt>{t('tip.what.address')}</dt>
              <dd>{tip.address}</dd>
            </>
          )}
          {tip.contacts.length > 0 && (
            <>
              <dt>{t('tip.what.contacts')}</dt>
              <dd>
                <ul class="plain">
                  {tip.contacts.map((c) => (
                    <li key={c.kind + c.value}>
                      {t(`contact.kind.${c.kind}`)}: <span class="num">{c.value}</span>
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          <dt>{t('tip.what.sent')}</dt>
          <dd>
            <time dateTime={tip.created_at}>{formatDateTime(tip.created_at, lang)}</time>
          </dd>
        </dl>
        {tip.photos.length > 0 && (
          <ul class="photos photos--view">
            {tip.photos.map((p, i) => (
              <li key={p.id} class="photo">
                <img src={p.thumbnail_url} alt={t('report.photo.label', { n: i + 1 })} loading="lazy" />
              </li>
            ))}
          </ul>
        )}
      </section>
    </article>
  );
}

function CategoryName({ code }: { code: string }) {
  const { categories, loadCategories, i18n } = useReporter();
  useEffect(() => {
    if (!categories.value) void loadCategories();
  }, []);
  const c = categories.value?.find((x) => x.code === code);
  return <>{c ? (i18n.lang.value === 'zh-CN' ? c.label_zh : c.label_en) : code}</>;
}

export function statusWords(
  tip: TipView,
  lang: 'zh-CN' | 'en',
  t: (k: ReporterKey, p?: Record<string, string | number>) => string,
): { title: string; detail?: string } {
  switch (tip.status) {
    case 'forwarded': {
      const unit = forwardedTo(tip.history, lang);
      return { title: unit ? t('status.forwarded_to', { unit }) : t('status.forwarded') };
    }
    case 'closed': {
      const h = latest(tip.history, 'closed');
      const text = [h?.outcome ? textIn(h.outcome, lang) : '', h?.note ?? ''].filter(Boolean).join(' ');
      return { title: t('status.closed'), ...(text ? { detail: text } : {}) };
    }
    case 'rejected': {
      const h = latest(tip.history, 'rejected');
      const text = [h?.reason ? textIn(h.reason, lang) : '', h?.note ? noteIn(h.note, lang) : ''].filter(Boolean).join(' ');
      return { title: t('status.rejected'), ...(text ? { detail: text } : {}) };
    }
    case 'needs_info':
      return { title: t('status.needs_info'), detail: t('status.needs_info.detail') };
    default:
      return { title: t(`status.${tip.status}`) };
  }
}

function Conversation(props: {
  messages: MessageView[];
  asked: boolean;
  canWrite: boolean;
  onSend(body: string): Promise<void>;
}) {
  const { i18n } = useReporter();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [body, setBody] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [sending, setSending] = useState(false);
  if (!props.messages.length && !props.asked) return null;

  async function send(e: Event) {
    e.preventDefault();
    if (!body.trim()) return;
    setSending(true);
    try {
      await props.onSend(body);
      setBody('');
      setProblem(null);
    } catch (err) {
      // What was typed stays in the box.
      setProblem(err instanceof ApiProblem ? err : { status: 0, code: 'network.unreachable' });
    } finally {
      setSending(false);
    }
  }

  return (
    <section class={`section conversation${props.asked ? ' conversation--asked' : ''}`} aria-labelledby="conv-heading">
      <h2 id="conv-heading" class="section__title">
        {t('tip.conversation.heading')}
      </h2>
      <ol class="messages">
        {props.messages.map((m) => (
          <li key={m.id} class={`message message--${m.author}`}>
            <span class="message__who">{t(`tip.conversation.${m.author}`)}</span>
            <p>{m.body}</p>
            <time class="muted" dateTime={m.created_at}>
              {formatDateTime(m.created_at, lang)}
            </time>
          </li>
        ))}
      </ol>
      {props.canWrite && (
        <form onSubmit={(e) => void send(e)} class="field">
          <label for="answer">{props.asked ? t('tip.conversation.answer') : t('tip.conversation.write')}</label>
          <textarea id="answer" rows={3} maxLength={2000} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          {problem && <ProblemMessage problem={problem} />}
          <button type="submit" class="button" disabled={sending || !body.trim()}>
            {t('tip.conversation.send')}
          </button>
        </form>
      )}
    </section>
  );
}
