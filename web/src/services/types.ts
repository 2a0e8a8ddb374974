import type { SloState } from '../slos/types';

export interface Service {
  id: string;
  name: string;
  /** How many SLOs the service has. */
  slos: number;
  /** The worst state among its SLOs. */
  state: SloState;
  /** The lowest error budget remaining among its SLOs. */
  budgetRemaining: number | null;
}
