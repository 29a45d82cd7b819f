import type zhCN from './zh-CN.json';

/** Keys of the messages both apps share (common words, errors, time). */
export type SharedKey = keyof typeof zhCN;
