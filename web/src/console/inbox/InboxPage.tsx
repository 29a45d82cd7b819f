import { ListDetail } from '../ListDetail';
import { useConsole } from '../state';

/** The inbox desk: its list and the open item. Built out by the inbox work. */
export function InboxPage() {
  const { t } = useConsole().i18n;
  return (
    <ListDetail
      listLabel={t('desk.inbox')}
      itemLabel={t('console.item')}
      itemOpen={false}
      list={<h1 class="list-detail__heading">{t('desk.inbox')}</h1>}
    />
  );
}
