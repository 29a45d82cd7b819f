// The contacts read off the photos, offered under them: "照片上识别到电话：
// 138 0013 8000 — 添加 / 忽略". Asked for once per uploaded photo while the
// form is open (reading.ts says how often and for how long); nothing is
// said when reading finds nothing, fails, or cannot be asked.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useReporter } from '../state';
import type { PhotoState } from './outbox';
import { pollReading, type FoundContact, type Offer } from './reading';

/** Per media id: what its reading found (absent until done with something). */
export function useFoundContacts(photos: readonly PhotoState[], active: boolean): Record<string, FoundContact[]> {
  const { db, online, readPhoto } = useReporter();
  const [found, setFound] = useState<Record<string, FoundContact[]>>({});
  const started = useRef(new Set<string>());
  const abort = useRef<AbortController | null>(null);

  // The page going away (another page, the report sent) stops every ask.
  useEffect(() => {
    abort.current = new AbortController();
    return () => abort.current?.abort();
  }, []);
  useEffect(() => {
    if (!active) abort.current?.abort();
  }, [active]);

  const uploaded = photos.filter((p) => p.status === 'done' && p.mediaId);
  useEffect(() => {
    const signal = abort.current?.signal;
    if (!active || !signal || signal.aborted) return;
    for (const p of uploaded) {
      const mediaId = p.mediaId!;
      if (started.current.has(mediaId)) continue;
      started.current.add(mediaId);
      void (async () => {
        // Asked as the photo's uploader: an anonymous draft's own session.
        const stored = await db.photos.get(p.id);
        const owner = stored?.media?.id === mediaId ? stored.media.owner : null;
        if (!owner) return;
        const token = owner.kind === 'anonymous' ? owner.token : null;
        const contacts = await pollReading(
          { ask: (s) => readPhoto(mediaId, token, s), online: () => online.value },
          signal,
        );
        if (contacts.length && !signal.aborted) setFound((f) => ({ ...f, [mediaId]: contacts }));
      })().catch(() => undefined);
    }
  }, [active, uploaded.map((p) => p.mediaId).join(',')]);

  return found;
}

export function FoundOffers(props: {
  offers: readonly Offer[];
  /** Added from here while the page was open, to say so. */
  added: readonly Offer[];
  onAdd(o: Offer): void;
  onDismiss(o: Offer): void;
}) {
  const { t } = useReporter().i18n;
  const { offers, added } = props;
  // Always in the page, so screen readers hear what appears in it.
  return (
    <div class="found" aria-live="polite">
      {offers.length > 0 && (
        <ul class="found__list" aria-label={t('report.found.list')}>
          {offers.map((o) => {
            const kind = t(`contact.kind.${o.kind}`);
            return (
              <li key={o.key} class="found__item">
                <p class="found__text">
                  {t('report.found.offer', { kind })} <span class="found__value num">{o.display}</span>
                </p>
                <div class="found__actions">
                  <button
                    type="button"
                    class="button button--small"
                    aria-label={t('report.found.add.label', { kind, value: o.display })}
                    onClick={() => props.onAdd(o)}
                  >
                    {t('report.found.add')}
                  </button>
                  <button
                    type="button"
                    class="button button--small button--quiet"
                    aria-label={t('report.found.dismiss.label', { value: o.display })}
                    onClick={() => props.onDismiss(o)}
                  >
                    {t('report.found.dismiss')}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {offers.length > 0 && <p class="muted found__hint">{t('report.found.hint')}</p>}
      {added.map((o) => (
        <p key={o.key} class="ok-text found__added">
          <span aria-hidden="true">✓ </span>
          {t('report.found.added', { value: o.display })}
        </p>
      ))}
    </div>
  );
}
