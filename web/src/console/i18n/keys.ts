import type { SharedKey } from '../../shared/i18n/keys';
import type zhCN from './zh-CN.json';

export type ConsoleKey = SharedKey | keyof typeof zhCN;
