// The console's catalogues: the shared one and its own, merged. zh-CN is in
// the initial bundle (most users, no wait); English is a lazy chunk.
import type { Lang, Messages } from '../../shared/i18n/i18n';
import sharedZh from '../../shared/i18n/zh-CN.json';
import ownZh from './zh-CN.json';

export const ZH_CN: Messages = { ...sharedZh, ...ownZh };

export async function loadConsoleMessages(lang: Lang): Promise<Messages> {
  if (lang === 'zh-CN') return ZH_CN;
  const [shared, own] = await Promise.all([import('../../shared/i18n/en.json'), import('./en.json')]);
  return { ...shared.default, ...own.default };
}
