import type { SharedKey } from '../../shared/i18n/keys';
import type zhCN from './zh-CN.json';

export type ReporterKey = SharedKey | keyof typeof zhCN;
