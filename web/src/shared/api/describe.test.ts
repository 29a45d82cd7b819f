import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/i18n';
import zh from '../i18n/zh-CN.json';
import en from '../i18n/en.json';
import { describeProblem } from './describe';

const i18n = () =>
  createI18n<string>({ lang: 'zh-CN', messages: zh, load: async (l) => (l === 'en' ? en : zh), storage: null });

describe('problems as messages', () => {
  it('picks the message by code, in the user language', async () => {
    const t = i18n();
    expect(describeProblem({ status: 401, code: 'auth.invalid_credentials' }, t).message).toBe('用户名或密码不正确。');
    await t.setLang('en');
    expect(describeProblem({ status: 409, code: 'tip.invalid_state' }, t).message).toBe(
      'Someone else has already decided this tip.',
    );
  });

  it('says how long to wait on a throttled sign-in', async () => {
    const t = i18n();
    expect(describeProblem({ status: 429, code: 'auth.throttled', retryAfter: 896 }, t).message).toBe(
      '登录失败次数过多，请在 15分钟后再试。',
    );
    await t.setLang('en');
    expect(describeProblem({ status: 429, code: 'auth.throttled', retryAfter: 896 }, t)).toMatchObject({
      message: 'Too many failed sign-ins. Try again in 15 minutes.',
      retryable: true,
    });
  });

  it('falls back on the status for codes it does not know, never on the server text', () => {
    const t = i18n();
    expect(describeProblem({ status: 409, code: 'lead.some_new_code' }, t).message).toBe(
      '内容刚被他人更改。请刷新后重试。',
    );
    expect(describeProblem({ status: 0, code: 'network.unreachable' }, t)).toMatchObject({
      message: '无法连接服务器。请检查网络后重试。',
      retryable: true,
    });
    expect(describeProblem({ status: 500, code: 'internal', requestId: 'r-1' }, t)).toMatchObject({
      retryable: true,
      requestId: 'r-1',
    });
    expect(describeProblem({ status: 418, code: 'teapot' }, t).message).toBe('出了点问题。请重试。');
  });
});
