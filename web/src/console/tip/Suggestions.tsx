// Contacts the service read off a tip's photos (QR codes, printed text),
// for the moderator to confirm — the contact joins the tip, and so its
// cluster — or dismiss. Each is outlined on its photo; pointing at one here
// (mouse or keyboard focus) highlights its box. A refusal is said at the
// suggestion it concerns, or above the list when that suggestion is gone.
import { useState } from 'preact/hooks';
import { call, toProblem, type Problem } from '../../shared/api/problem';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { useConsole } from '../state';
import type { ConsoleKey } from '../i18n/keys';
import { orderSuggestions, suggestionBoxes, type PhotoBox, type Suggestion } from './suggested';
import { contactKindLabel } from './words';

/** The boxes to draw on the photos for these suggestions. */
export function boxesOf(t: ReturnType<typeof useConsole>['i18n']['t'], list: readonly Suggestion[]): PhotoBox[] {
  return suggestionBoxes(list, (s) => {
    const kind = contactKindLabel(t, s.kind);
    return { label: t('tip.suggestion.box', { kind, value: s.value }), tag: `${kind} ${s.value}` };
  });
}

export function Suggestions(p: {
  tipId: string;
  suggestions: readonly Suggestion[];
  /** Photo numbers by media id (as the strip shows them, from 1). */
  photoNumber: ReadonlyMap<string, number>;
  highlight: string | null;
  onHighlight(id: string | null): void;
  /** A decision went through, or lost a race: the tip is read again. */
  onChanged(): Promise<unknown>;
}) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ id: string; what: 'confirm' | 'dismiss'; problem: Problem } | null>(null);
  const list = orderSuggestions(p.suggestions);
  if (list.length === 0 && !problem) return null;

  async function decide(s: Suggestion, what: 'confirm' | 'dismiss') {
    setBusy(s.id);
    setProblem(null);
    const params = { params: { path: { id: p.tipId, sid: s.id } } };
    try {
      await call(
        what === 'confirm'
          ? api.POST('/v1/moderation/tips/{id}/suggestions/{sid}/confirm', params)
          : api.POST('/v1/moderation/tips/{id}/suggestions/{sid}/dismiss', params),
      );
      if (p.highlight === s.id) p.onHighlight(null);
      await p.onChanged();
    } catch (e) {
      const prob = toProblem(e);
      setProblem({ id: s.id, what, problem: prob });
      // Someone decided it first: show it as it now is.
      if (prob.status === 409 || prob.status === 404) await p.onChanged();
    } finally {
      setBusy(null);
    }
  }

  const orphan = problem && !list.some((s) => s.id === problem.id) ? problem.problem : null;
  return (
    <section class="tip-suggestions" aria-labelledby="tip-suggestions-h">
      <h4 id="tip-suggestions-h">{t('tip.suggestions')}</h4>
      {orphan && <ProblemMessage problem={orphan} />}
      <ul class="tip-suggestions__list">
        {list.map((s) => {
          const kind = contactKindLabel(t, s.kind);
          const n = p.photoNumber.get(s.media_id);
          const point = () => p.onHighlight(s.id);
          const leave = () => p.onHighlight(null);
          return (
            <li
              key={s.id}
              class={`tip-suggestion${p.highlight === s.id ? ' tip-suggestion--hi' : ''}`}
              onMouseEnter={point}
              onMouseLeave={leave}
            >
              <span class="tip-suggestion__what">
                <span class="contact-kind">{kind}</span> <span class="num contact-value">{s.value}</span>
              </span>
              <span class="desk-muted tip-suggestion__how">
                {t(`tip.suggestion.source.${s.source}` as ConsoleKey)} · {t('tip.suggestion.confidence', { pct: Math.round(s.confidence * 100) })}
                {n !== undefined && <> · {t('tip.suggestion.photo', { n })}</>}
              </span>
              {s.state === 'confirmed' ? (
                <span class="status-label status-label--verified">{t('tip.suggestion.confirmed')}</span>
              ) : (
                <span class="tip-suggestion__actions">
                  <button
                    type="button"
                    class="button button--small"
                    disabled={busy !== null}
                    onFocus={point}
                    onBlur={leave}
                    aria-label={t('tip.suggestion.confirm.label', { kind, value: s.value })}
                    onClick={() => void decide(s, 'confirm')}
                  >
                    {t('tip.suggestion.confirm')}
                  </button>
                  <button
                    type="button"
                    class="button button--small button--quiet"
                    disabled={busy !== null}
                    onFocus={point}
                    onBlur={leave}
                    aria-label={t('tip.suggestion.dismiss.label', { kind, value: s.value })}
                    onClick={() => void decide(s, 'dismiss')}
                  >
                    {t('tip.suggestion.dismiss')}
                  </button>
                </span>
              )}
              {problem?.id === s.id && <ProblemMessage problem={problem.problem} onRetry={() => void decide(s, problem.what)} />}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
