export type SloState = 'ok' | 'ticket' | 'page' | 'no-data';

export interface Slo {
  id: string;
  service: string;
  name: string;
  kind: 'events' | 'latency';
  objective: number;
  state: SloState;
  burnRates: Record<string, number | null>;
  /** Fraction of the error budget left in the SLO period; negative once overspent. */
  budgetRemaining: number | null;
  runbookId: string | null;
}
