import type { Slo } from '../slos/types';

/**
 * The SLOs with the least error budget left, lowest first. SLOs without a budget figure yet
 * (never evaluated, no data) are left out: they are not close to anything, they are unknown,
 * and the state badges already show them.
 */
export function closestToExhaustion<T extends Pick<Slo, 'id' | 'budgetRemaining'>>(slos: T[], count: number): T[] {
  return slos
    .filter((s) => s.budgetRemaining != null && Number.isFinite(s.budgetRemaining))
    .sort((a, b) => (a.budgetRemaining as number) - (b.budgetRemaining as number) || a.id.localeCompare(b.id))
    .slice(0, count);
}
