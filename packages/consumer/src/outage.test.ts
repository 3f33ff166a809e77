import { describe, expect, it } from 'vitest';
import { OutageBudget } from './outage.js';

describe('OutageBudget', () => {
  it('retries failures until the budget since the first one is spent, and starts over after progress', () => {
    let now = 1_000;
    const budget = new OutageBudget(60_000, { now: () => now });
    expect(budget.inOutage).toBe(false);
    expect(budget.failed()).toBe(true);
    now += 59_999;
    expect(budget.failed()).toBe(true);
    expect(budget.elapsedMs()).toBe(59_999);
    now += 1;
    expect(budget.failed()).toBe(false);
    budget.progressed();
    expect(budget.inOutage).toBe(false);
    now += 120_000;
    expect(budget.failed()).toBe(true);
  });

  it('with a budget of 0 gives up at the first failure', () => {
    expect(new OutageBudget(0, { now: () => 5 }).failed()).toBe(false);
  });
});
