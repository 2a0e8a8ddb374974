import { Controller, Get, Header, HttpException, HttpStatus, Inject, UnauthorizedException, Req } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import { AppMetrics } from '../common/metrics';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DeliveryChannels } from '../notify/delivery-channels';
import { EscalationAuditor } from '../oncall/escalation-auditor';
import { OutboxService } from '../outbox/outbox.service';
import { describeIdleSlos } from '../rules/idle-sources';
import { RulesService } from '../rules/rules.service';

@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: AppMetrics,
    private readonly outbox: OutboxService,
    private readonly auth: AuthService,
    private readonly channels: DeliveryChannels,
    private readonly auditor: EscalationAuditor,
    private readonly rules: RulesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Liveness: the process is up and serving. */
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers and every migration is applied (503 otherwise). Slack
   * conversations that keep failing and escalations past a due step are reported too, as
   * `degraded` with 200: another process would not do better, and people must see it. So are
   * SLOs whose source cannot produce data in this configuration (`checks.sources`): a restart
   * would not feed them either; a person must change the configuration.
   */
  @Get('readyz')
  async readyz() {
    const checks: Record<string, string> = {};
    let ready = true;
    let degraded = false;
    try {
      await this.dataSource.query('SELECT 1');
      checks.database = 'ok';
      const pending = await this.dataSource.showMigrations();
      checks.migrations = pending ? 'pending' : 'ok';
      ready = !pending;
      if (ready) {
        const failing = await this.channels.failing();
        checks.notifications = failing.length === 0 ? 'ok' : `failing: ${failing.map((f) => `${f.channel} (${f.consecutiveFailures} attempts in a row since ${f.failingSince?.toISOString()}, last: ${f.lastError})`).join('; ')}`;
        const overdue = await this.auditor.overdue();
        checks.escalations = overdue.length === 0 ? 'ok' : `${overdue.length} overdue (oldest step due ${overdue[0].dueAt.toISOString()}, incident ${overdue[0].incidentId}); the auditor re-queues them`;
        degraded = failing.length > 0 || overdue.length > 0;
      }
    } catch (err) {
      checks.database = `unreachable: ${(err as Error).message}`;
      ready = false;
    }
    const idle = this.rules.idleSlos();
    checks.sources = describeIdleSlos(idle);
    degraded ||= idle.length > 0;
    if (!ready) throw new HttpException({ status: 'not ready', checks }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: degraded ? 'degraded' : 'ready', checks };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(@Req() req: Request) {
    if (!this.config.metricsPublic) {
      const token = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
      if (!token || !(await this.auth.authenticate(token))) throw new UnauthorizedException('metrics need an API token (HEADROOM_METRICS_PUBLIC=false)');
    }
    this.metrics.outboxPending.set(await this.outbox.pendingCount());
    return this.metrics.registry.metrics();
  }
}
