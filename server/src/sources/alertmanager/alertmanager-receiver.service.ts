import { Injectable } from '@nestjs/common';
import type { IntegrationKeyView } from '../../auth/integration-keys.service';
import type { AlertOutcome } from '../../routing/alert';
import { AlertIntake } from '../../routing/alert-intake';
import { toIncomingAlert, type WebhookPayload } from './alertmanager-payload';

export interface AlertmanagerReceipt {
  status: 'success';
  received: number;
  outcomes: AlertOutcome[];
}

/**
 * Receives Alertmanager webhooks. Firing and resolved alerts of one notification are handed to
 * the incidents stage together and committed in one transaction before the answer, so a 200
 * means every alert is stored; on any error Alertmanager gets a 5xx and retries.
 */
@Injectable()
export class AlertmanagerReceiver {
  constructor(private readonly intake: AlertIntake) {}

  async receive(payload: WebhookPayload, raw: unknown, integration: IntegrationKeyView): Promise<AlertmanagerReceipt> {
    const rawAlerts = (raw as { alerts?: unknown[] } | null)?.alerts ?? [];
    const alerts = payload.alerts.map((a, i) => toIncomingAlert(payload, a, rawAlerts[i], { id: integration.id, name: integration.name }));
    const outcomes = await this.intake.ingest(alerts);
    return { status: 'success', received: alerts.length, outcomes };
  }
}
