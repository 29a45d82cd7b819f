// The CSV export of the queue's current filters (`GET /v1/moderation/tips.csv`),
// streamed: the rows received are counted as they arrive, the download can
// be cancelled, and a download cut short is said to be incomplete (the
// service ends a failed stream without its last chunk, which fetch reports
// as an error).
import { useRef, useState } from 'preact/hooks';
import { ApiProblem, problemFromResponse, toProblem, type Problem } from '../../shared/api/problem';
import { formatNumber } from '../../shared/format/time';
import { ProblemMessage } from '../../shared/ui/ProblemMessage';
import { useConsole } from '../state';
import type { QueueQuery } from './filters';

/** Counts CSV records in a stream of bytes, minding quoted line breaks. */
export function createCsvCounter() {
  let inQuotes = false;
  let lines = 0;
  let sawAny = false;
  let lastWasNewline = false;
  return {
    feed(bytes: Uint8Array) {
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        sawAny = true;
        if (b === 0x22) inQuotes = !inQuotes;
        else if (b === 0x0a && !inQuotes) lines++;
        lastWasNewline = b === 0x0a && !inQuotes;
      }
    },
    /** Records after the header row. */
    rows(): number {
      const records = lines + (sawAny && !lastWasNewline ? 1 : 0);
      return Math.max(0, records - 1);
    },
  };
}

export function ExportButton({ query }: { query: QueueQuery }) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const [state, setState] = useState<'idle' | 'running' | 'done' | 'cancelled'>('idle');
  const [rows, setRows] = useState(0);
  const [bytes, setBytes] = useState(0);
  const [problem, setProblem] = useState<Problem | null>(null);
  const abort = useRef<AbortController | null>(null);

  async function start() {
    const ctl = new AbortController();
    abort.current = ctl;
    setState('running');
    setRows(0);
    setBytes(0);
    setProblem(null);
    const counter = createCsvCounter();
    const parts: Uint8Array[] = [];
    let received = 0;
    try {
      const { response } = await api.GET('/v1/moderation/tips.csv', {
        params: { query },
        parseAs: 'stream',
        signal: ctl.signal,
      });
      if (!response.ok || !response.body) {
        let body: unknown = undefined;
        try {
          body = await response.json();
        } catch {
          /* not JSON */
        }
        throw problemFromResponse(response, body);
      }
      const reader = response.body.getReader();
      let last = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        received += value.length;
        counter.feed(value);
        // A figure that moves about ten times a second, not on every chunk.
        const n = performance.now();
        if (n - last > 100) {
          last = n;
          setRows(counter.rows());
          setBytes(received);
        }
      }
      setRows(counter.rows());
      setBytes(received);
      const name = (response.headers.get('Content-Disposition') ?? '').match(/filename="?([^";]+)"?/)?.[1] ?? 'tips.csv';
      const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState('done');
    } catch (e) {
      if (ctl.signal.aborted) {
        setState('cancelled');
        return;
      }
      setProblem(e instanceof ApiProblem ? e : received > 0 ? new ApiProblem({ status: 0, code: 'export.cut_short' }) : toProblem(e));
      setState('idle');
    } finally {
      abort.current = null;
    }
  }

  return (
    <div class="export">
      {state === 'running' ? (
        <>
          <span role="status" class="export__progress num">
            {t('queue.export.progress', { rows: formatNumber(rows, lang), kb: formatNumber(Math.round(bytes / 1024), lang) })}
          </span>
          <button type="button" class="button button--quiet button--small" onClick={() => abort.current?.abort()}>
            {t('queue.export.cancel')}
          </button>
        </>
      ) : (
        <>
          <button type="button" class="button button--quiet button--small" onClick={start}>
            {t('queue.export')}
          </button>
          {state === 'done' && (
            <span role="status" class="export__progress num">
              {t('queue.export.done', { rows: formatNumber(rows, lang) })}
            </span>
          )}
          {state === 'cancelled' && (
            <span role="status" class="export__progress">
              {t('queue.export.cancelled')}
            </span>
          )}
        </>
      )}
      {problem && <ProblemMessage problem={problem} onRetry={start} />}
    </div>
  );
}
