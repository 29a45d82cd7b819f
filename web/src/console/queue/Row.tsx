import { Component } from 'preact';
import type { I18n, Lang } from '../../shared/i18n/i18n';
import { formatAge, formatDateTime } from '../../shared/format/time';
import type { ConsoleKey } from '../i18n/keys';
import { categoryLabel } from './reference';
import { claimText, contactKindLabel, statusLabel, who } from '../tip/words';
import type { Row } from './store';

interface Props {
  row: Row;
  href: string;
  open: boolean;
  selected: boolean;
  me: string;
  now: number;
  lang: Lang;
  t: I18n<ConsoleKey>['t'];
  leadRef: string | null;
  onOpen(id: string, e: MouseEvent): void;
  onSelect(id: string, e: MouseEvent): void;
}

/**
 * One row of the queue, about 48 px: a checkbox for bulk decisions, the
 * thumbnail, the reference, state, category and age on the first line;
 * the place, the contacts and who holds the claim on the second. A row
 * whose tip moved on since the list was read says what happened.
 */
function RowView({ row, href, open, selected, me, now, lang, t, leadRef, onOpen, onSelect }: Props) {
  const claim = claimText(t, lang, row, me, now);
  const other = !!row.claimed_by && row.claimed_by !== me && !!claim;
  const change = row.change;
  const contacts = row.contacts.map((c) => `${contactKindLabel(t, c.kind)} ${c.value}`).join(' · ');
  let changeText: string | null = null;
  if (change) {
    const by = change.mine ? t('tip.who.me') : who(t, change.by, me);
    changeText = t('queue.row.changed', { who: by, status: statusLabel(t, row.status) });
    if (leadRef) changeText += ` → ${leadRef}`;
  }
  const classes = ['qrow'];
  if (open) classes.push('qrow--open');
  if (change && row.status !== 'submitted' && row.status !== 'in_review') classes.push('qrow--done');
  if (row.fresh) classes.push('qrow--fresh');
  return (
    <li class={classes.join(' ')} data-id={row.id}>
      <input
        type="checkbox"
        class="qrow__check"
        checked={selected}
        aria-label={t('queue.row.select', { ref: row.reference })}
        onClick={(e) => onSelect(row.id, e)}
      />
      <span class="qrow__thumb" aria-hidden="true">
        {row.thumbnail_url ? (
          <img
            src={row.thumbnail_url}
            alt=""
            width={40}
            height={40}
            loading="lazy"
            decoding="async"
            onError={(e) => e.currentTarget.classList.add('qrow__img--broken')}
          />
        ) : null}
        {row.photo_count > 1 && <span class="qrow__count num">{row.photo_count}</span>}
      </span>
      <a
        class="qrow__link"
        href={href}
        aria-current={open ? 'true' : undefined}
        onClick={(e) => {
          if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          onOpen(row.id, e);
        }}
      >
        <span class="qrow__line">
          <span class="qrow__ref num">{row.reference}</span>
          <span class={`status-label status-label--${row.status}`}>{statusLabel(t, row.status)}</span>
          <span class="qrow__cat">{categoryLabel(row.category, lang)}</span>
          <time class="qrow__age" dateTime={row.created_at} title={formatDateTime(row.created_at, lang)}>
            {formatAge(row.created_at, now, lang, t('time.just_now'))}
          </time>
        </span>
        <span class="qrow__line qrow__line--sub">
          {changeText ? (
            <span class="qrow__change">{changeText}</span>
          ) : claim ? (
            <span class={other ? 'qrow__claim qrow__claim--other' : 'qrow__claim'}>{claim}</span>
          ) : null}
          <span class="qrow__place">{row.address ?? `${row.lat.toFixed(4)}, ${row.lon.toFixed(4)}`}</span>
          {contacts && <span class="qrow__contacts num">{contacts}</span>}
        </span>
      </a>
    </li>
  );
}

/** Re-renders only when what it shows changed (hundreds of rows, a live feed). */
export class QueueRow extends Component<Props> {
  override shouldComponentUpdate(next: Props): boolean {
    const p = this.props;
    return (
      next.row !== p.row ||
      next.open !== p.open ||
      next.selected !== p.selected ||
      next.lang !== p.lang ||
      next.t !== p.t ||
      next.leadRef !== p.leadRef ||
      next.href !== p.href ||
      // Ages and claims move with the clock.
      next.now !== p.now
    );
  }
  override render() {
    return <RowView {...this.props} />;
  }
}
