import { describe, expect, it } from 'vitest';
import { estimateCostMicroUsd, monthKeyUtc, startOfMonthUtc } from './estimate-cost.js';

describe('estimateCostMicroUsd', () => {
  it('prices input and output tokens at the model list price (micro-dollars)', () => {
    // gpt-4o-mini: $0.15 / M in, $0.60 / M out → 1000 in + 500 out = 150 + 300 µ$.
    expect(estimateCostMicroUsd('gpt-4o-mini', 1000, 500)).toBe(450);
    expect(estimateCostMicroUsd('gpt-4o', 1_000_000, 0)).toBe(2_500_000);
  });
  it('prices a dated snapshot as its family, never as a shorter prefix family', () => {
    expect(estimateCostMicroUsd('gpt-4o-mini-2024-07-18', 1000, 500)).toBe(450);
    expect(estimateCostMicroUsd('gpt-4o-2024-08-06', 1000, 0)).toBe(2500);
  });
  it('an unknown model costs 0, negative counts count as 0', () => {
    expect(estimateCostMicroUsd('llama3:8b', 1000, 1000)).toBe(0);
    expect(estimateCostMicroUsd('gpt-4o-mini', -5, -5)).toBe(0);
  });
});

describe('month helpers', () => {
  it('start of month and month key in UTC', () => {
    const d = new Date('2026-12-31T23:30:00-02:00'); // already January in UTC
    expect(startOfMonthUtc(d).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(monthKeyUtc(d)).toBe('2027-01');
  });
});
