import { describe, expect, it } from 'vitest';
import { ZAiSettings, DEFAULT_AI_SETTINGS } from './ai-settings.js';
import { checkBudget } from './check-budget.js';

describe('checkBudget', () => {
  const settings = ZAiSettings.parse({ monthlyBudget: { maxReplies: 10, maxTokens: 1000 } });

  it('allows under both limits and says what is left', () => {
    expect(checkBudget({ settings, usedThisMonth: { replies: 3, tokens: 400 } })).toEqual({
      allowed: true,
      remaining: { replies: 7, tokens: 600 },
    });
  });
  it('refuses at the reply limit', () => {
    expect(checkBudget({ settings, usedThisMonth: { replies: 10, tokens: 0 } })).toEqual({
      allowed: false,
      reason: 'replies_exhausted',
    });
  });
  it('refuses at the token limit', () => {
    expect(checkBudget({ settings, usedThisMonth: { replies: 0, tokens: 1000 } })).toEqual({
      allowed: false,
      reason: 'tokens_exhausted',
    });
    expect(checkBudget({ settings, usedThisMonth: { replies: 0, tokens: 5000 } })).toEqual({
      allowed: false,
      reason: 'tokens_exhausted',
    });
  });
  it('a zero budget allows nothing', () => {
    const zero = ZAiSettings.parse({ monthlyBudget: { maxReplies: 0 } });
    expect(zero.monthlyBudget.maxTokens).toBe(DEFAULT_AI_SETTINGS.monthlyBudget.maxTokens);
    expect(checkBudget({ settings: zero, usedThisMonth: { replies: 0, tokens: 0 } })).toEqual({
      allowed: false,
      reason: 'replies_exhausted',
    });
  });
});

describe('ZAiSettings', () => {
  it('defaults to a complete, switched-off configuration', () => {
    expect(DEFAULT_AI_SETTINGS).toEqual({
      enabled: false,
      takeoverDelaySeconds: 60,
      answerAtOnceOutsideOfficeHours: true,
      assistantName: 'Assistant',
      instructions: '',
      model: 'gpt-4o-mini',
      maxOutputTokens: 500,
      monthlyBudget: { maxReplies: 1000, maxTokens: 2_000_000 },
    });
  });
  it('refuses out-of-range and hostile values with the field path', () => {
    const bad = (input: unknown) => ZAiSettings.safeParse(input).error?.issues[0]?.path.join('.');
    expect(bad({ instructions: 'x'.repeat(2001) })).toBe('instructions');
    expect(bad({ takeoverDelaySeconds: -1 })).toBe('takeoverDelaySeconds');
    expect(bad({ takeoverDelaySeconds: 1.5 })).toBe('takeoverDelaySeconds');
    expect(bad({ avatarUrl: 'javascript:alert(1)' })).toBe('avatarUrl');
    expect(bad({ avatarUrl: 'http://insecure.example/a.png' })).toBe('avatarUrl');
    expect(bad({ model: 'gpt 4; rm -rf' })).toBe('model');
    expect(bad({ assistantName: '   ' })).toBe('assistantName');
    expect(bad({ monthlyBudget: { maxTokens: -5 } })).toBe('monthlyBudget.maxTokens');
    expect(bad({ surprise: true })).toBe('');
    expect(ZAiSettings.parse({ avatarUrl: 'https://cdn.example.com/pip.png', takeoverDelaySeconds: 0 })).toMatchObject({
      avatarUrl: 'https://cdn.example.com/pip.png',
      takeoverDelaySeconds: 0,
    });
  });
});
