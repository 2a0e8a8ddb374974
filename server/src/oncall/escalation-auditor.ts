import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { AppMetrics } from '../common/metrics';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LeaseService } from '../common/lease.service';
import { ScheduledJob } from '../common/scheduled-job';
import { writeTimeline } from '../incidents/incident-records';
import { IncidentStore } from '../incidents/incident-store';
import { SYSTEM_ACTOR } from '../incidents/actor';
import { OutboxService } from '../outbox/outbox.service';
import { EscalationEngine } from './escalation-engine';

const LEASE = 'escalation-audit';

export interface OverdueEscalation {
  incidentId: number;
  policy: string;
  step: number;
  dueAt: Date;
}

/**
 * Checks that every running escalation took its last step on time. The engine's pass should
 * take a due step within HEADROOM_ESCALATION_INTERVAL_SECONDS; one that is several passes late
 * (a pass that keeps failing, a process that held the lease and hung, a row whose wake time was
 * lost) is re-queued and the pass is run at once, with a line on the incident's timeline, a
 * warning in the log and a count in /metrics; /readyz shows what is overdue now.
 */
@Injectable()
export class EscalationAuditor implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: ScheduledJob;

  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: EscalationEngine,
    private readonly incidents: IncidentStore,
    private readonly outbox: OutboxService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly leases: LeaseService,
    private readonly scheduler: SchedulerRegistry,
    private readonly metrics: AppMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.escalationAuditSeconds;
    const lease = { service: this.leases, ttlSeconds: Math.max(30, seconds * 2) };
    this.job = ScheduledJob.start({ name: LEASE, everyMs: seconds * 1000, lease, run: () => this.audit(), logger: this.logger, scheduler: this.scheduler });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** How late a step may be before it counts as stalled: three engine passes, in clock time. */
  graceMs(): number {
    return Math.max(30, 3 * this.config.escalationIntervalSeconds) * 1000 * this.config.timeScale;
  }

  /** Running escalations whose due step is later than the grace period allows. Read-only. */
  async overdue(): Promise<OverdueEscalation[]> {
    const cutoff = new Date(this.clock.now().getTime() - this.graceMs());
    const candidates: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT incident_id, policy_name, step, next_at FROM escalations
       WHERE last_status = 'triggered' AND next_at IS NOT NULL AND next_at < $1
       ORDER BY next_at LIMIT 500`,
      [cutoff.toISOString()],
    );
    const triggered = new Set((await this.incidents.statuses(candidates.map((r) => Number(r.incident_id)))).filter((s) => s.status === 'triggered').map((s) => Number(s.id)));
    const rows = candidates.filter((r) => triggered.has(Number(r.incident_id)));
    return rows.map((r) => ({ incidentId: Number(r.incident_id), policy: String(r.policy_name), step: Number(r.step), dueAt: new Date(r.next_at as string) }));
  }

  /** Re-queues every stalled escalation and runs the pass; returns the ones it found. */
  async audit(): Promise<OverdueEscalation[]> {
    const stalled = await this.overdue();
    this.metrics.escalationsOverdue.set(stalled.length);
    if (stalled.length === 0) return stalled;
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await m.query(`UPDATE escalations SET wake_at = $2 WHERE incident_id = ANY($1::int[])`, [stalled.map((s) => s.incidentId), now.toISOString()]);
      await writeTimeline(m, this.outbox, stalled.map((s) => ({
        incidentId: s.incidentId, at: now, actor: SYSTEM_ACTOR,
        event: {
          kind: 'escalation.stalled',
          message: `Escalation policy ${s.policy}: step ${s.step + 1} was due at ${s.dueAt.toISOString()} and had not been taken; re-queued by the escalation auditor`,
          data: { policy: s.policy, step: s.step + 1, dueAt: s.dueAt.toISOString() },
          notify: false,
        },
      })));
    });
    this.metrics.escalationsStalled.inc(stalled.length);
    this.logger.warn({ incidents: stalled.map((s) => s.incidentId), oldestDueAt: stalled[0].dueAt }, `escalation auditor re-queued ${stalled.length} stalled escalation(s)`);
    await this.engine.runDue();
    return stalled;
  }
}
