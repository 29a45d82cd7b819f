import { describe, expect, it } from 'vitest';
import { forwardedTo, noteIn } from './status';

describe('notes in the reader language', () => {
  it('picks the half of a two-language note', () => {
    expect(noteIn('已转交稠城派出所 / Passed to Choucheng Police Station', 'zh-CN')).toBe('已转交稠城派出所');
    expect(noteIn('已转交稠城派出所 / Passed to Choucheng Police Station', 'en')).toBe('Passed to Choucheng Police Station');
    expect(noteIn('Handled with the earlier report. / 将与先前的举报一并处理。', 'zh-CN')).toBe('将与先前的举报一并处理。');
    expect(noteIn('请补充地址', 'en')).toBe('请补充地址');
  });

  it('finds the unit a tip went to', () => {
    const history = [
      { status: 'submitted' as const, at: '' },
      { status: 'forwarded' as const, at: '', note: '已转交稠城派出所 / Passed to Choucheng Police Station' },
    ];
    expect(forwardedTo(history, 'zh-CN')).toBe('稠城派出所');
    expect(forwardedTo(history, 'en')).toBe('Choucheng Police Station');
    expect(forwardedTo([{ status: 'forwarded', at: '' }], 'en')).toBeNull();
  });
});
