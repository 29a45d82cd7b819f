// After sending: the reference, what happens next, and for an anonymous
// report its receipt — the code and the secret, the only way back to the
// tip. The service shows the secret once and keeps only its hash, so it
// cannot be recovered: the page says so plainly and offers a copy and a
// picture of it. The phone also keeps it (IndexedDB) for "查进度".

import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Frame } from '../Frame';
import { useReporter } from '../state';
import type { Draft } from './db';
import { emptyDraft } from './outbox';

export function SentPage({ id }: { id: string }) {
  const { outbox, i18n, currentDraft } = useReporter();
  const { t } = i18n;
  const { route } = useLocation();
  const draft: Draft | undefined = outbox.drafts.value.find((d) => d.id === id);
  const sent = draft?.sent;

  useEffect(() => {
    // Shown: the banner on the form need not point here any more.
    if (draft && sent && !sent.shown) void outbox.markShown(draft.id);
  }, [draft?.id, sent?.shown]);

  function another() {
    const d = emptyDraft(Date.now(), draft?.category ?? '');
    currentDraft.value = d.id;
    void outbox.create(d).then(() => route('/'));
  }

  if (!draft || !sent) {
    return (
      <Frame>
        <h1>{t('sent.gone.heading')}</h1>
        <p>{t('sent.gone.text')}</p>
        <p>
          <a href="/follow">{t('nav.follow')}</a>
        </p>
      </Frame>
    );
  }
  return (
    <Frame
      actions={
        <button type="button" class="button button--send" onClick={another}>
          {t('report.another')}
        </button>
      }
    >
      <h1>{t('sent.heading')}</h1>
      <p>
        {t('sent.reference')} <strong class="num">{sent.reference}</strong>
      </p>
      <p>{t('sent.next')}</p>
      {sent.receipt ? (
        <Receipt code={sent.receipt.code} secret={sent.receipt.secret} reference={sent.reference} />
      ) : (
        <p>
          <a href={`/me/tips/${sent.tipId}`}>{t('sent.follow_mine')}</a>
        </p>
      )}
    </Frame>
  );
}

function Receipt({ code, secret, reference }: { code: string; secret: string; reference: string }) {
  const { i18n } = useReporter();
  const { t } = i18n;
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  const text = t('receipt.text', { code, secret, reference });

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('ok');
    } catch {
      setCopied('failed');
    }
  }

  function saveImage() {
    const canvas = drawReceipt({
      title: t('receipt.heading'),
      lines: [
        [t('receipt.code'), code],
        [t('receipt.secret'), secret],
        [t('sent.reference'), reference],
      ],
      footer: [t('receipt.image.footer'), `${location.origin}/follow`],
    });
    canvas.toBlob((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `tipline-${code}.png`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }, 'image/png');
  }

  return (
    <section class="receipt" aria-labelledby="receipt-heading">
      <h2 id="receipt-heading">{t('receipt.heading')}</h2>
      <dl class="receipt__pair">
        <dt>{t('receipt.code')}</dt>
        <dd class="num" data-testid="receipt-code">
          {code}
        </dd>
        <dt>{t('receipt.secret')}</dt>
        <dd class="num receipt__secret" data-testid="receipt-secret">
          {secret}
        </dd>
      </dl>
      <div class="notice notice--warn">
        <p>
          <strong>{t('receipt.warning.title')}</strong> {t('receipt.warning.text')}
        </p>
      </div>
      <div class="row">
        <button type="button" class="button" onClick={() => void copy()}>
          {t('receipt.copy')}
        </button>
        <button type="button" class="button" onClick={saveImage}>
          {t('receipt.save_image')}
        </button>
      </div>
      <p role="status" class="muted">
        {copied === 'ok' ? t('receipt.copied') : copied === 'failed' ? t('receipt.copy_failed') : ''}
      </p>
      <p>
        <a href={`/follow/${encodeURIComponent(code)}`}>{t('receipt.follow')}</a>
      </p>
      <p class="muted">{t('receipt.kept')}</p>
    </section>
  );
}

/** The receipt drawn on a canvas, for "save as image". */
export function drawReceipt(r: { title: string; lines: Array<[string, string]>; footer: string[] }): HTMLCanvasElement {
  const scale = 2;
  const w = 360;
  const h = 120 + r.lines.length * 56 + r.footer.length * 22;
  const c = document.createElement('canvas');
  c.width = w * scale;
  c.height = h * scale;
  const g = c.getContext('2d')!;
  g.scale(scale, scale);
  const font = getComputedStyle(document.body).fontFamily || 'sans-serif';
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, w, h);
  g.fillStyle = '#0b5cad';
  g.fillRect(0, 0, w, 48);
  g.fillStyle = '#ffffff';
  g.font = `700 18px ${font}`;
  g.fillText(r.title, 16, 31);
  let y = 84;
  for (const [label, value] of r.lines) {
    g.fillStyle = '#545d68';
    g.font = `14px ${font}`;
    g.fillText(label, 16, y);
    g.fillStyle = '#1b1f24';
    g.font = `600 18px ui-monospace, Menlo, Consolas, monospace`;
    g.fillText(value, 16, y + 24);
    y += 56;
  }
  g.fillStyle = '#545d68';
  g.font = `12px ${font}`;
  for (const line of r.footer) {
    g.fillText(line, 16, y);
    y += 22;
  }
  return c;
}
