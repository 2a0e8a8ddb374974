/**
 * A signal is what evaluation concludes about one alert rule: firing or resolved, with a
 * stable fingerprint and the evidence. Evaluation publishes; incidents subscribes. The bus
 * lets the downstream stage react without the upstream one importing it.
 */
export type Severity = 'critical' | 'error' | 'warning' | 'info';

export interface Signal {
  /** Stable identity of the alert rule instance, e.g. `slo:now-playing-ranker/availability:page`. */
  fingerprint: string;
  status: 'firing' | 'resolved';
  source: 'slo' | 'guardrail';
  service: string;
  title: string;
  severity: Severity;
  sloId?: string;
  runbookId?: string | null;
  /** Extra labels silences and routes can match (e.g. experiment, variant, metric). */
  labels?: Record<string, string>;
  evidence: Record<string, unknown>;
  at: Date;
}

export type SignalHandler = (signals: Signal[]) => Promise<void>;

export class SignalBus {
  private readonly handlers: SignalHandler[] = [];

  subscribe(handler: SignalHandler): void {
    this.handlers.push(handler);
  }

  /** Resolves once every subscriber has handled the batch, so callers can await the effect. */
  async publish(signals: Signal[]): Promise<void> {
    if (signals.length === 0) return;
    for (const handler of this.handlers) await handler(signals);
  }
}
