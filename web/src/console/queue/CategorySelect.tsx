// The category filter every desk's list has: "全部类别" or one category,
// named in the page's language (the list the service gives, read once).
import { useConsole } from '../state';
import { useCategories } from './reference';

export function CategorySelect({ id, value, onChange }: { id: string; value: string | null; onChange(code: string | null): void }) {
  const { api, i18n } = useConsole();
  const { t } = i18n;
  const lang = i18n.lang.value;
  const categories = useCategories(api) ?? [];
  return (
    <>
      <label class="visually-hidden" for={id}>
        {t('queue.filter.category')}
      </label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value || null)}>
        <option value="">{t('queue.filter.category_all')}</option>
        {value && !categories.some((c) => c.code === value) && <option value={value}>{value}</option>}
        {categories.map((c) => (
          <option key={c.code} value={c.code}>
            {lang === 'zh-CN' ? c.label_zh : c.label_en}
          </option>
        ))}
      </select>
    </>
  );
}
