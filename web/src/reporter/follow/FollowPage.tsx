// Following an anonymous tip by its receipt: code and secret typed in, or
// one of the receipts this phone made (kept in IndexedDB; clearing the
// browser's data loses them, and the page says so).

import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { call, ApiProblem, type Problem } from '../../shared/api/problem';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { Frame } from '../Frame';
import { useReporter } from '../state';
import type { SavedReceipt } from '../report/db';
import { TipDetail, type TipSource } from './TipDetail';
import type { Api } from '../../shared/api/client';

export function receiptSource(api: Api, code: string, secret: string): TipSource {
  const auth = { path: { code }, header: { 'X-Receipt-Secret': secret } };
  return {
    key: code,
    tip: () => call(api.GET('/v1/receipts/{code}', { params: auth })),
    messages: () => call(api.GET('/v1/receipts/{code}/messages', { params: auth })),
    answer: (body) => call(api.POST('/v1/receipts/{code}/messages', { params: auth, body: { body } })),
    notifications: () => call(api.GET('/v1/receipts/{code}/notifications', { params: { ...auth, query: { limit: 100 } } })),
    markRead: (ids) => call(api.POST('/v1/receipts/{code}/notifications/read', { params: auth, body: { ids } })),
    rewards: () => call(api.GET('/v1/receipts/{code}/rewards', { params: auth })),
  };
}

export function FollowPage() {
  const { db, api, i18n } = useReporter();
  const { t } = i18n;
  const { route, query } = useLocation();
  const [saved, setSaved] = useState<SavedReceipt[] | null>(null);
  const [code, setCode] = useState(query.code ?? '');
  const [secret, setSecret] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    db.receipts
      .all()
      .then((all) => setSaved(all.sort((a, b) => b.createdAt - a.createdAt)))
      .catch(() => setSaved([]));
  }, []);

  async function open(e: Event) {
    e.preventDefault();
    const c = code.trim();
    const s = secret.trim();
    if (!c || !s) return;
    setBusy(true);
    try {
      const tip = await call(api.GET('/v1/receipts/{code}', { params: { path: { code: c }, header: { 'X-Receipt-Secret': s } } }));
      await db.receipts.put({ code: c, secret: s, reference: tip.reference, tipId: tip.id, createdAt: Date.now() });
      route(`/follow/${encodeURIComponent(c)}`);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err : { status: 0, code: 'network.unreachable' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Frame
      actions={
        <button type="submit" form="receipt-form" class="button button--send" disabled={busy}>
          {t('follow.open')}
        </button>
      }
    >
      <h1>{t('follow.heading')}</h1>
      <p>{t('follow.intro')}</p>
      <form id="receipt-form" onSubmit={(e) => void open(e)}>
        <div class="field">
          <label for="receipt-code">{t('receipt.code')}</label>
          <input
            id="receipt-code"
            autoCapitalize="characters"
            autoComplete="off"
            spellcheck={false}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            aria-invalid={problem?.code === 'receipt.not_found' ? 'true' : undefined}
          />
        </div>
        <div class="field">
          <label for="receipt-secret">{t('receipt.secret')}</label>
          <input
            id="receipt-secret"
            autoComplete="off"
            spellcheck={false}
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
            aria-invalid={problem?.code === 'receipt.not_found' ? 'true' : undefined}
          />
        </div>
        {problem && <ProblemMessage problem={problem} />}
      </form>

      <section class="section" aria-labelledby="saved-heading">
        <h2 id="saved-heading" class="section__title">
          {t('follow.saved.heading')}
        </h2>
        <p class="muted">{t('follow.saved.warning')}</p>
        {saved === null ? (
          <p>{t('state.loading')}</p>
        ) : saved.length === 0 ? (
          <p class="muted">{t('follow.saved.none')}</p>
        ) : (
          <ul class="list">
            {saved.map((r) => (
              <li key={r.code}>
                <a href={`/follow/${encodeURIComponent(r.code)}`} class="list__link">
                  <span class="num">{r.reference}</span> <span class="muted num">{r.code}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Frame>
  );
}

export function ReceiptPage({ code }: { code: string }) {
  const { db, api, i18n } = useReporter();
  const { t } = i18n;
  const { route } = useLocation();
  const decoded = decodeURIComponent(code);
  const [receipt, setReceipt] = useState<SavedReceipt | null | undefined>(undefined);
  useEffect(() => {
    db.receipts
      .get(decoded)
      .then((r) => {
        if (r) setReceipt(r);
        else route(`/follow?code=${encodeURIComponent(decoded)}`, true);
      })
      .catch(() => setReceipt(null));
  }, [decoded]);
  const source = useMemo(() => (receipt ? receiptSource(api, receipt.code, receipt.secret) : null), [receipt]);
  return (
    <Frame>
      <p>
        <a href="/follow">{t('follow.back')}</a>
      </p>
      {source ? <TipDetail source={source} /> : <p>{t('state.loading')}</p>}
      <p class="muted">
        {t('receipt.code')}: <span class="num">{decoded}</span>
      </p>
    </Frame>
  );
}
