import { describe, expect, it } from '@jest/globals';
import { closestToExhaustion } from './dashboard-math';

describe('SLOs closest to exhausting their budget', () => {
  it('lists the lowest budgets first, overspent ones before all, and leaves out unknown budgets', () => {
    const slos = [
      { id: 'a', budgetRemaining: 0.8 },
      { id: 'b', budgetRemaining: null },
      { id: 'c', budgetRemaining: -0.5 },
      { id: 'd', budgetRemaining: 0.1 },
      { id: 'e', budgetRemaining: 0.1 },
      { id: 'f', budgetRemaining: 1 },
    ];
    expect(closestToExhaustion(slos, 4).map((s) => s.id)).toEqual(['c', 'd', 'e', 'a']);
    expect(closestToExhaustion([], 5)).toEqual([]);
  });
});
