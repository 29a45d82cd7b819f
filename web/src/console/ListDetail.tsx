import type { ComponentChildren } from 'preact';

interface Props {
  /** Names the list region (e.g. "审核队列"). */
  listLabel: string;
  /** Names the item region. */
  itemLabel: string;
  list: ComponentChildren;
  item?: ComponentChildren;
  /**
   * An item is open. On a narrow screen the item then takes the list's
   * place (the page gives it a way back); on a wide one both show.
   */
  itemOpen: boolean;
}

/**
 * Every desk's frame: the list on the left keeps its place and filters
 * while items open on the right (a mail client, Sentry's feedback view).
 */
export function ListDetail({ listLabel, itemLabel, list, item, itemOpen }: Props) {
  return (
    <div class={itemOpen ? 'list-detail list-detail--open' : 'list-detail'}>
      <section class="list-detail__list" aria-label={listLabel}>
        {list}
      </section>
      <section class="list-detail__item" aria-label={itemLabel}>
        {item}
      </section>
    </div>
  );
}
