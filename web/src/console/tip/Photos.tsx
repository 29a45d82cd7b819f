// A tip's photos as evidence: display copies (no metadata) in a strip;
// one opens large with zoom; the original only behind an explicit action
// that the service records in the audit log, shown with its SHA-256. A
// unit's photos (display copies only: the service leaves out the
// original's description for officers) open the same way, without the
// original. Contacts read off a photo are outlined where they were found
// (boxes as fractions of the upright picture), the one the moderator points
// at in the list highlighted.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import type { Schemas } from '../../shared/api/types';
import { formatNumber } from '../../shared/format/time';
import { useConsole } from '../state';
import { regionStyle, type PhotoBox } from './suggested';

type Photo = Schemas['Photo'];
type Original = Schemas['OriginalLink'];

interface BoxProps {
  boxes?: readonly PhotoBox[];
  /** The box to highlight (the suggestion pointed at in the list). */
  highlight?: string | null;
}

export function Photos({ photos, reference, boxes = [], highlight = null }: { photos: readonly Photo[]; reference: string } & BoxProps) {
  const { t } = useConsole().i18n;
  const [open, setOpen] = useState<number | null>(null);
  if (photos.length === 0) return null;
  return (
    <>
      <ul class="tip-photos" aria-label={t('tip.photos')}>
        {photos.map((p, i) => (
          <li key={p.id}>
            <button type="button" class="tip-photos__item" onClick={() => setOpen(i)} aria-label={t('tip.photo.open', { n: i + 1, ref: reference })}>
              {/* Uncropped, so a box lands where it was read. */}
              <span class="photo-frame tip-photos__frame" style={{ aspectRatio: `${p.width} / ${p.height}` }}>
                <img src={p.display_url} alt="" loading="lazy" decoding="async" width={p.width} height={p.height} />
                <Boxes boxes={boxes.filter((b) => b.mediaId === p.id)} highlight={highlight} />
              </span>
            </button>
          </li>
        ))}
      </ul>
      {open !== null && photos[open] && (
        <PhotoViewer
          photos={photos}
          index={open}
          onIndex={setOpen}
          onClose={() => setOpen(null)}
          reference={reference}
          boxes={boxes}
          highlight={highlight}
        />
      )}
    </>
  );
}

/** Outlines over a photo's frame (the frame is exactly the picture). */
function Boxes({ boxes, highlight, named }: { boxes: readonly PhotoBox[]; highlight: string | null; named?: boolean }) {
  return (
    <>
      {boxes.map((b) => (
        <span
          key={b.id}
          class={`photo-box${b.id === highlight ? ' photo-box--hi' : ''}${b.region.y < 0.08 ? ' photo-box--top' : ''}`}
          data-suggestion={b.id}
          {...(named ? { role: 'img', 'aria-label': b.label } : { 'aria-hidden': 'true' })}
          style={regionStyle(b.region)}
        >
          {named && (
            <span class="photo-box__tag" aria-hidden="true">
              {b.tag}
            </span>
          )}
        </span>
      ))}
    </>
  );
}

function PhotoViewer({
  photos,
  index,
  onIndex,
  onClose,
  reference,
  boxes = [],
  highlight = null,
}: {
  photos: readonly Photo[];
  index: number;
  onIndex(i: number): void;
  onClose(): void;
  reference: string;
} & BoxProps) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const ref = useRef<HTMLDialogElement>(null);
  const [zoom, setZoom] = useState(1);
  const [original, setOriginal] = useState<Record<string, Original>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const photo = photos[index]!;
  useEffect(() => {
    ref.current?.showModal();
    return () => ref.current?.close();
  }, []);
  useEffect(() => setZoom(1), [index]);

  async function viewOriginal() {
    if (!handlesEvidence(photo)) return;
    setBusy(true);
    setProblem(null);
    try {
      const o = await call(api.GET('/v1/moderation/media/{id}/original', { params: { path: { id: photo.id } } }));
      setOriginal((m) => ({ ...m, [photo.id]: o }));
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  const orig = handlesEvidence(photo) ? original[photo.id] : undefined;
  return (
    <dialog
      ref={ref}
      class="dialog photo-viewer"
      aria-labelledby="photo-viewer-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        if (e.key === 'ArrowRight' && index < photos.length - 1) onIndex(index + 1);
        if (e.key === 'ArrowLeft' && index > 0) onIndex(index - 1);
        if (e.key === '+' || e.key === '=') setZoom((z) => Math.min(4, z * 1.5));
        if (e.key === '-') setZoom((z) => Math.max(1, z / 1.5));
      }}
    >
      <div class="dialog__head">
        <h2 id="photo-viewer-title">
          {t('tip.photo.title', { ref: reference, n: index + 1, total: photos.length })}
        </h2>
        <button type="button" class="button button--quiet" onClick={onClose}>
          {t('action.close')}
        </button>
      </div>
      <div class="photo-viewer__tools">
        <button type="button" class="button button--quiet" disabled={index === 0} onClick={() => onIndex(index - 1)}>
          {t('tip.photo.prev')}
        </button>
        <button type="button" class="button button--quiet" disabled={index >= photos.length - 1} onClick={() => onIndex(index + 1)}>
          {t('tip.photo.next')}
        </button>
        <button type="button" class="button button--quiet" onClick={() => setZoom((z) => Math.max(1, z / 1.5))} disabled={zoom <= 1}>
          {t('tip.photo.zoom_out')}
        </button>
        <span class="num" aria-live="polite">{Math.round(zoom * 100)}%</span>
        <button type="button" class="button button--quiet" onClick={() => setZoom((z) => Math.min(4, z * 1.5))} disabled={zoom >= 4}>
          {t('tip.photo.zoom_in')}
        </button>
      </div>
      <div class="photo-viewer__stage" tabIndex={0} aria-label={t('tip.photo.stage')}>
        <span class="photo-frame photo-viewer__frame" style={{ width: `${zoom * 100}%` }}>
          <img
            src={photo.display_url}
            alt={t('tip.photo.alt', { ref: reference, n: index + 1 })}
            width={photo.width}
            height={photo.height}
            onDblClick={() => setZoom((z) => (z > 1 ? 1 : 2))}
          />
          <Boxes boxes={boxes.filter((b) => b.mediaId === photo.id)} highlight={highlight} named />
        </span>
      </div>
      <p class="desk-muted num">
        {photo.byte_size !== undefined && photo.content_type !== undefined
          ? t('tip.photo.meta', {
              w: photo.width,
              h: photo.height,
              size: formatNumber(Math.round(photo.byte_size / 1024), lang),
              kind: fileType(photo.content_type),
            })
          : t('tip.photo.size', { w: photo.width, h: photo.height })}
      </p>
      {handlesEvidence(photo) && (
        <div class="photo-viewer__original">
          {orig ? (
            <>
              <p>
                <a href={orig.url} target="_blank" rel="noopener noreferrer">
                  {t('tip.photo.original_link')}
                </a>
              </p>
              <p class="desk-muted">
                {t('tip.photo.sha256')} <code class="photo-viewer__hash">{orig.sha256}</code>
              </p>
            </>
          ) : (
            <button type="button" class="button button--quiet" onClick={viewOriginal} disabled={busy}>
              {t('tip.photo.view_original')}
            </button>
          )}
          {problem && <ProblemMessage problem={problem} onRetry={viewOriginal} />}
        </div>
      )}
    </dialog>
  );
}

// The service describes the original (its hash) only to those who may read
// it: moderators. Officers get the display copies alone.
function handlesEvidence(photo: Photo): boolean {
  return photo.sha256 !== undefined;
}

// `image/jpeg` → `JPEG`.
function fileType(contentType: NonNullable<Photo['content_type']>): string {
  return contentType.slice(contentType.indexOf('/') + 1).toUpperCase();
}
