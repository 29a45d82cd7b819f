// Whether a desk's live feed is up: a dot and a word ("实时更新").
import { useRef } from 'preact/hooks';
import type { LiveStatus } from '../../shared/live/sse';
import { useConsole } from '../state';

export function LiveIndicator({ status }: { status: LiveStatus }) {
  const { t } = useConsole().i18n;
  // Streams end and resume routinely (each access-token lifetime): a quick
  // reconnect after one that worked still reads as live.
  const wasOpen = useRef(false);
  if (status.state === 'open') wasOpen.current = true;
  if (status.state === 'waiting' || status.state === 'failed' || status.state === 'stopped') wasOpen.current = false;
  const shown = status.state === 'connecting' && wasOpen.current ? 'open' : status.state;
  const text =
    shown === 'open'
      ? t('queue.live.on')
      : shown === 'failed'
        ? t('queue.live.failed')
        : shown === 'stopped'
          ? t('queue.live.off')
          : t('queue.live.connecting');
  return (
    <span class={`live live--${shown}`} title={text}>
      <span class="live__dot" aria-hidden="true" />
      <span class="live__text">{text}</span>
    </span>
  );
}
