import { describeProblem } from '../api/describe';
import type { Problem } from '../api/problem';
import { useI18n } from '../i18n/preact';

interface Props {
  problem: Problem;
  /** Offered as "重试" when retrying can help. */
  onRetry?: () => void;
  id?: string;
}

/** A failed call, said in the user's language, with what they can do. */
export function ProblemMessage({ problem, onRetry, id }: Props) {
  const i18n = useI18n();
  const d = describeProblem(problem, i18n);
  return (
    <div class="problem" role="alert" id={id}>
      <p class="problem__text">{d.message}</p>
      {d.requestId && <p class="problem__id">{i18n.t('error.request_id', { id: d.requestId })}</p>}
      {d.retryable && onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          {i18n.t('action.retry')}
        </button>
      )}
    </div>
  );
}
