import type { AlertOutcome, IncomingAlert } from './alert';

export type AlertIntakeHandler = (alerts: IncomingAlert[]) => Promise<AlertOutcome[]>;

/**
 * The hand-off from sources to incidents. Sources call `ingest` and get the outcome of each
 * alert once it is durably stored (so a webhook answers 2xx only after the commit); the
 * incidents stage registers the one handler. Like the signal bus, it lets the upstream stage
 * publish without importing the downstream one.
 */
export class AlertIntake {
  private handler: AlertIntakeHandler | null = null;

  register(handler: AlertIntakeHandler): void {
    if (this.handler) throw new Error('an alert intake handler is already registered');
    this.handler = handler;
  }

  ingest(alerts: IncomingAlert[]): Promise<AlertOutcome[]> {
    if (alerts.length === 0) return Promise.resolve([]);
    if (!this.handler) throw new Error('no alert intake handler is registered (is the incidents module loaded?)');
    return this.handler(alerts);
  }
}
