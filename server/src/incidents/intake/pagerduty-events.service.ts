import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IntegrationKeysService } from '../../auth/integration-keys.service';
import { CLOCK, type Clock } from '../../common/clock';
import { InvalidEventError } from '../../common/errors';
import { AlertIngestService } from './alert-ingest.service';
import { sanitizeJson } from '../../common/text-sanitizer';
import { MAX_EVENT_BYTES, eventErrors, eventSchema, toIncomingAlert } from './pagerduty-event';

export interface EnqueueResponse {
  status: 'success';
  message: 'Event processed';
  dedup_key: string;
}

/**
 * PagerDuty Events API v2 semantics, so anything that pages PagerDuty can page Headroom by
 * changing one URL: 202 `{status, message, dedup_key}` once the event is stored (dedup_key
 * generated for a trigger without one); 400 `{status: "invalid event", message, errors}`;
 * acknowledge and resolve for a dedup_key without an open incident are accepted and dropped.
 */
@Injectable()
export class PagerDutyEventsService {
  constructor(
    private readonly ingest: AlertIngestService,
    private readonly keys: IntegrationKeysService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async enqueue(body: unknown, bytes: number): Promise<EnqueueResponse> {
    if (bytes > MAX_EVENT_BYTES) {
      throw new InvalidEventError([`(event): is ${Math.ceil(bytes / 1024)} KB; events are limited to 512 KB`], HttpStatus.PAYLOAD_TOO_LARGE);
    }
    const parsed = eventSchema.safeParse(sanitizeJson(body));
    if (!parsed.success) throw new InvalidEventError(eventErrors(parsed.error.issues));
    const event = parsed.data;
    const integration = await this.keys.verify(event.routing_key, 'pagerduty');
    if (!integration) throw new InvalidEventError(['routing_key: no active pagerduty integration has this key (create one with POST /api/integrations)']);
    const dedupKey = event.dedup_key ?? randomUUID().replace(/-/g, '');
    await this.ingest.ingest([toIncomingAlert(event, dedupKey, { id: integration.id, name: integration.name }, this.clock.now())]);
    return { status: 'success', message: 'Event processed', dedup_key: dedupKey };
  }
}
