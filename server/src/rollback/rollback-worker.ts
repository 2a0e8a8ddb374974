import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK, SystemClock, type Clock } from '../common/clock';
import { DrainLoop } from '../common/drain-loop';
import { LOGGER, type Logger } from '../common/logger';
import { withSpan } from '../common/telemetry';
import { returnedRows } from '../common/returned-rows';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ExperimentsService } from '../guardrails/experiments.service';
import { IncidentStore } from '../incidents/incident-store';
import { SYSTEM_ACTOR } from '../incidents/actor';
import { OutboxService } from '../outbox/outbox.service';
import { RulesService } from '../rules/rules.service';
import { HOOK_HTTP_CLIENT, type HookHttpClient } from './hook-http-client';
import { backoffMs, buildRequest, classifyResponse, redacted, type AttemptOutcome, type HookRequest } from './hook-request';
import { templateValues } from './hook-values';
import type { RollbackExecution } from './rollback-execution.entity';
import { recordStep } from './rollback-records';
import { RollbackStore } from './rollback-store';

/** Longer than any hook timeout (at most 5 minutes): a claimed row is not taken over while its request runs. */
const LOCK_SECONDS = 330;

/**
 * Sends queued rollback executions: woken after a commit that queued one, and polling for
 * retries that came due and rows a crashed process left running. Each attempt is signed with
 * the hook's secret at send time; the outcome, latency and attempt go on the row, the
 * timeline and the audit log.
 */
@Injectable()
export class RollbackWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Delay before retry `attempt + 1`; tests shorten it. */
  backoff: (attempt: number) => number = (attempt) => backoffMs(attempt);
  /** Signatures carry real time, whatever the simulated clock says: receivers check it against theirs. */
  private readonly wallClock: Clock = new SystemClock();
  private readonly loop: DrainLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: RollbackStore,
    private readonly rules: RulesService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly experiments: ExperimentsService,
    private readonly incidents: IncidentStore,
    @Inject(HOOK_HTTP_CLIENT) private readonly http: HookHttpClient,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.loop = new DrainLoop({ name: 'rollback worker', pollMs: config.outboxPollMs, onWake: (l) => store.onWake(l), step: () => this.executeSome(), logger });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Runs until nothing is due; a wake during a run schedules one more pass. */
  drain(): Promise<void> {
    return this.loop.drain();
  }

  private async executeSome(): Promise<boolean> {
    const batch = await this.store.claim(5, LOCK_SECONDS);
    await Promise.all(batch.map((e) => this.execute(e)));
    return batch.length > 0;
  }

  private async execute(e: RollbackExecution): Promise<void> {
    await withSpan('rollback.execute', { hook: e.hook, executionId: e.id, attempt: e.attempts }, async () => {
      const hook = this.rules.rollbackHooks().find((h) => h.name === e.hook);
      if (!hook) return this.finish(e, null, { kind: 'failed', status: null, error: `rollback hook ${e.hook} is no longer declared in alerts/` }, null, null);
      const secret = hook.secretEnv ? this.config.secretFromEnv(hook.secretEnv) : undefined;
      if (hook.secretEnv && !secret) {
        return this.finish(e, null, { kind: 'failed', status: null, error: `${hook.secretEnv} is not set: the request cannot be signed (set it and retry)` }, null, null);
      }
      const incident = await this.incidents.facts(e.incidentId);
      if (!incident) return this.finish(e, null, { kind: 'failed', status: null, error: `incident ${e.incidentId} no longer exists` }, null, null);
      const request = buildRequest(hook, templateValues(incident, e, this.config.publicUrl), e.id, secret, Math.floor(this.wallClock.now().getTime() / 1000));
      // Only the worker holding the latest claim sends; the claim then outlasts the request.
      if (!(await this.store.renewClaim(e, Math.ceil(hook.timeoutMs / 1000) + 30))) return this.claimLost(e);
      const started = performance.now();
      const result = await this.http.send(request, hook.timeoutMs);
      const latency = Math.round(performance.now() - started);
      const outcome = classifyResponse(result, e.attempts, e.maxAttempts);
      await this.finish(e, request, outcome, latency, 'body' in result ? result.body : null);
    });
  }

  private claimLost(e: RollbackExecution): void {
    this.logger.warn({ executionId: e.id, hook: e.hook, attempt: e.attempts }, 'rollback execution is no longer this worker\'s (taken over or cancelled); its outcome is not recorded here');
  }

  private async finish(e: RollbackExecution, request: HookRequest | null, outcome: AttemptOutcome, latencyMs: number | null, responseBody: string | null): Promise<void> {
    const at = this.clock.now();
    const delay = outcome.kind === 'retry' ? this.backoff(e.attempts) : 0;
    const status = outcome.kind === 'retry' ? 'queued' : outcome.kind;
    const stored = request ? redacted(request) : e.request;
    const attempt = `attempt ${e.attempts} of ${e.maxAttempts}`;
    const finished = await this.dataSource.transaction(async (m) => {
      const updated = await m.query(
        `UPDATE rollback_executions SET status = $2, request = $3, response_status = $4, response_body = $5, latency_ms = $6, last_error = $7,
                locked_until = NULL, updated_at = now(), next_attempt_at = now() + make_interval(secs => $8),
                finished_at = CASE WHEN $2 IN ('succeeded', 'failed') THEN now() ELSE NULL END
         WHERE id = $1 AND claim_version = $9 AND status = 'running' RETURNING id`,
        [e.id, status, stored ? JSON.stringify(stored) : null, outcome.status, responseBody, latencyMs, outcome.kind === 'succeeded' ? null : outcome.error, delay / 1000, e.claimVersion],
      );
      // Another worker took the row over (or someone cancelled it): its outcome is theirs to record.
      if (returnedRows(updated).length === 0) return false;
      const data = { hook: e.hook, policy: e.policy, attempt: e.attempts, maxAttempts: e.maxAttempts, responseStatus: outcome.status, latencyMs, ...(outcome.kind === 'succeeded' ? {} : { error: outcome.error }) };
      const base = { incidentId: e.incidentId, executionId: e.id, at, actor: SYSTEM_ACTOR, data, before: { status: 'running' }, after: { status } };
      if (outcome.kind === 'succeeded') {
        await recordStep(m, this.outbox, this.audit, { ...base, kind: 'rollback.succeeded', message: `Rollback hook ${e.hook} succeeded: HTTP ${outcome.status} in ${latencyMs} ms (${attempt})` });
        const experiment = e.trigger.kind === 'guardrail' ? e.trigger.experiment : null;
        if (experiment && (await this.experiments.markRolledBack(m, experiment, SYSTEM_ACTOR, `rollback hook ${e.hook} succeeded (execution ${e.id})`))) {
          await recordStep(m, this.outbox, this.audit, { ...base, kind: 'rollback.experiment-rolled-back', message: `Experiment ${experiment} marked rolled back`, data: { experiment } });
        }
      } else if (outcome.kind === 'retry') {
        await recordStep(m, this.outbox, this.audit, {
          ...base, notify: false, kind: 'rollback.attempt-failed',
          message: `Rollback hook ${e.hook}: ${attempt} failed (${outcome.error}); retrying in ${(delay / 1000).toFixed(1)} s`,
        });
      } else {
        await recordStep(m, this.outbox, this.audit, { ...base, kind: 'rollback.failed', message: `Rollback hook ${e.hook} failed after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}: ${outcome.error}` });
      }
      return true;
    });
    if (!finished) return this.claimLost(e);
    this.outbox.wake();
    if (outcome.kind === 'retry') setTimeout(() => this.store.wake(), delay + 5).unref();
    const log = { executionId: e.id, incidentId: e.incidentId, hook: e.hook, attempt: e.attempts, status: outcome.status, latencyMs };
    if (outcome.kind === 'failed') this.logger.error({ ...log, err: outcome.error }, `rollback hook ${e.hook} failed`);
    else this.logger.warn(log, `rollback hook ${e.hook} ${outcome.kind === 'succeeded' ? 'succeeded' : 'attempt failed; retrying'}`);
  }
}
