import { Injectable } from '@nestjs/common';
import type { IntegrationKeyView } from '../../auth/integration-keys.service';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import type { AlertOutcome } from './incoming-alert';
import { AlertIngestService } from './alert-ingest.service';
import { sanitizeJson } from '../../common/text-sanitizer';
import { fingerprintOf, toIncomingAlert, webhookSchema, type WebhookPayload } from './alertmanager-payload';

export interface AlertmanagerReceipt {
  status: 'success';
  received: number;
  outcomes: AlertOutcome[];
}

const validation = new ZodValidationPipe(webhookSchema);

/**
 * Receives Alertmanager webhooks. Firing and resolved alerts of one notification are handed to
 * the incidents stage together and committed in one transaction before the answer, so a 200
 * means every alert is stored; on any error Alertmanager gets a 5xx and retries.
 */
@Injectable()
export class AlertmanagerReceiver {
  constructor(private readonly ingest: AlertIngestService) {}

  /**
   * A parsed request body: cleaned of text PostgreSQL cannot store, validated (a 400 naming each
   * invalid field), then received. The cleaned body is also the evidence kept for each alert,
   * unknown fields included (validation drops them).
   */
  accept(body: unknown, integration: IntegrationKeyView): Promise<AlertmanagerReceipt> {
    const raw = sanitizeJson(body);
    return this.receive(validation.transform(raw), raw, integration);
  }

  private async receive(payload: WebhookPayload, raw: unknown, integration: IntegrationKeyView): Promise<AlertmanagerReceipt> {
    const rawAlerts = (raw as { alerts?: unknown[] } | null)?.alerts ?? [];
    const alerts = payload.alerts.map((a, i) => toIncomingAlert(payload, a, rawAlerts[i], { id: integration.id, name: integration.name }));
    const outcomes = await this.ingest.ingest(alerts);
    // Each outcome names its alert by the fingerprint the sender knows (in the order sent).
    return { status: 'success', received: alerts.length, outcomes: outcomes.map((o, i) => ({ ...o, key: fingerprintOf(payload.alerts[i]) })) };
  }
}
