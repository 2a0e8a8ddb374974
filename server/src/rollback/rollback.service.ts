import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { EXTENSION_ACTION_PREFIX, type ClickActor, type IncidentActionProvider, type IncidentButton } from '../common/incident-actions';
import { LOGGER, type Logger } from '../common/logger';
import type { ListQuery } from '../common/pagination';
import type { Signal } from '../common/signals';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { IncidentStore } from '../incidents/incident-store';
import { SYSTEM_ACTOR, type Actor } from '../incidents/actor';
import { OutboxService } from '../outbox/outbox.service';
import type { RollbackHook, RollbackPolicy } from '../rules/rollback-definition';
import { RulesService } from '../rules/rules.service';
import { assertApprovable, assertCancellable, assertRetryable, EXECUTION_STATUSES, type ExecutionStatus } from './execution-lifecycle';
import { buildRequest, redacted } from './hook-request';
import { templateValues } from './hook-values';
import { ChangesService } from '../changes/changes.service';
import { decide, matchesTrigger, requireChange, type SuspectChange } from './policy-gate';
import { RollbackExecution } from './rollback-execution.entity';
import { recordStep } from './rollback-records';
import { RollbackStore } from './rollback-store';

export const ACTION_ROLLBACK_APPROVE = `${EXTENSION_ACTION_PREFIX}rollback.approve`;
export const EXECUTION_SORTABLE = ['id', 'incidentId', 'hook', 'policy', 'status', 'createdAt', 'updatedAt'] as const;

const HOUR_MS = 3_600_000;

/** The hook as the API shows it: header values are left out (they may carry credentials). */
export function hookView(h: RollbackHook, secretSet: boolean) {
  return {
    id: h.name, name: h.name, description: h.description ?? null, url: h.url, method: h.method, headerNames: Object.keys(h.headers),
    body: h.body ?? null, contentType: h.contentType, timeoutMs: h.timeoutMs, retries: h.retries, secretEnv: h.secretEnv, secretSet, file: h.file,
  };
}

export function policyView(p: RollbackPolicy) {
  return { id: p.name, ...p };
}

/**
 * Act stage: turns breaches into rollback executions as the policies say (consecutive
 * evaluations, cooldown, hourly cap, mode), and applies people's approve/retry/cancel. The
 * worker (rollback-worker.ts) sends the requests.
 */
@Injectable()
export class RollbackService implements IncidentActionProvider {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly store: RollbackStore,
    private readonly incidents: IncidentStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly changes: ChangesService,
  ) {}

  hooks() {
    return this.rules.rollbackHooks().map((h) => hookView(h, Boolean(h.secretEnv && this.config.secretFromEnv(h.secretEnv))));
  }

  policies() {
    return this.rules.rollbackPolicies().map(policyView);
  }

  /**
   * Runs after incidents has handled the same batch (pipeline.ts), so a breach's incident exists.
   * Never throws: a rollback problem must not stop the evaluators.
   */
  async handleSignals(signals: Signal[]): Promise<void> {
    const policies = this.rules.rollbackPolicies();
    if (policies.length === 0) return;
    let queued = false;
    let notified = false;
    for (const signal of signals) {
      try {
        if (signal.status === 'resolved') {
          await this.dataSource.query(`DELETE FROM rollback_streaks WHERE incident_id = ANY($1::int[])`, [await this.incidents.openIds(signal.fingerprint)]);
          continue;
        }
        const matching = policies.filter((p) => matchesTrigger(p, signal));
        if (matching.length === 0) continue;
        const created = await this.onBreach(signal, matching);
        queued = queued || created.includes('queued');
        notified = notified || created.length > 0;
      } catch (err) {
        this.logger.error({ err, fingerprint: signal.fingerprint }, 'rollback policies not applied to a signal');
      }
    }
    if (notified) this.outbox.wake();
    if (queued) this.store.wake();
  }

  /** One evaluation found the breach: count it per policy, and create an execution once the policy says so. */
  private async onBreach(signal: Signal, policies: RollbackPolicy[]): Promise<ExecutionStatus[]> {
    // The change a rollback aims at: the suspect before the breach, read before the transaction
    // (on the embedded database a transaction holds up every other query).
    const [suspect] = await this.changes.beforeIncident(signal.service, signal.at);
    return this.dataSource.transaction(async (m) => {
      const incident = await this.incidents.latestOpen(m, signal.fingerprint);
      if (!incident) return [];
      const at = this.clock.now();
      const created: ExecutionStatus[] = [];
      for (const policy of policies) {
        const hook = this.rules.rollbackHooks().find((h) => h.name === policy.hook);
        if (!hook) continue;
        const [{ count }] = await m.query(
          `INSERT INTO rollback_streaks (incident_id, policy, count, last_at) VALUES ($1, $2, 1, $3)
           ON CONFLICT (incident_id, policy) DO UPDATE SET count = rollback_streaks.count + 1, last_at = EXCLUDED.last_at
           RETURNING count`,
          [incident.id, policy.name, at.toISOString()],
        );
        const streak = Number(count);
        if (streak < policy.consecutiveEvaluations) continue;
        const [existing] = await m.query(`SELECT id FROM rollback_executions WHERE incident_id = $1 AND hook = $2`, [incident.id, hook.name]);
        if (existing) continue;
        // One decision per policy at a time, in every process: cooldown and cap read what the last one wrote.
        await m.query(`INSERT INTO rollback_policy_locks (policy) VALUES ($1) ON CONFLICT DO NOTHING`, [policy.name]);
        await m.query(`SELECT policy FROM rollback_policy_locks WHERE policy = $1 FOR UPDATE`, [policy.name]);
        const since = new Date(at.getTime() - Math.max(HOUR_MS, policy.cooldownSeconds * 1000));
        const history: Array<{ created_at: Date }> = await m.query(
          `SELECT created_at FROM rollback_executions WHERE policy = $1 AND status NOT IN ('skipped', 'cancelled') AND created_at > $2 ORDER BY created_at DESC`,
          [policy.name, since.toISOString()],
        );
        const recent = history.map((h) => new Date(h.created_at));
        const decision = requireChange(policy, suspect ?? null, decide(policy, streak, { recent, lastAt: recent[0] ?? null }, at));
        if (decision.kind === 'wait') continue;
        const status: ExecutionStatus = decision.kind === 'skip' ? 'skipped' : decision.status;
        const trigger = triggerOf(policy, signal, suspect ?? null);
        const final = status === 'skipped' || status === 'dry_run';
        const inserted: Array<{ id: number }> = await m.query(
          `INSERT INTO rollback_executions (incident_id, hook, policy, mode, trigger, status, reason, max_attempts, created_at, updated_at, finished_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)
           ON CONFLICT (incident_id, hook) DO NOTHING RETURNING id`,
          [incident.id, hook.name, policy.name, policy.mode, JSON.stringify(trigger), status, decision.reason, hook.retries + 1, at.toISOString(), final ? at.toISOString() : null],
        );
        if (inserted.length === 0) continue;
        const id = Number(inserted[0].id);
        const facts = { id, hook: hook.name, policy: policy.name, mode: policy.mode, trigger };
        let request = null;
        if (status === 'dry_run') {
          const secret = hook.secretEnv ? this.config.secretFromEnv(hook.secretEnv) : undefined;
          request = redacted(buildRequest(hook, templateValues(incident, facts, this.config.publicUrl), id, secret, Math.floor(Date.now() / 1000)));
          await m.query(`UPDATE rollback_executions SET request = $2 WHERE id = $1`, [id, JSON.stringify(request)]);
        }
        await recordStep(m, this.outbox, this.audit, {
          incidentId: incident.id, executionId: id, at, actor: SYSTEM_ACTOR, ...createdStep(status, hook, policy, decision.reason),
          data: { hook: hook.name, policy: policy.name, mode: policy.mode, status, reason: decision.reason, ...(request ? { request } : {}) },
          after: { status },
        });
        created.push(status);
        this.logger.warn({ incidentId: incident.id, executionId: id, hook: hook.name, policy: policy.name, status }, `rollback ${status}: ${decision.reason}`);
      }
      return created;
    });
  }

  approve(id: number, actor: Actor): Promise<RollbackExecution> {
    return this.change(id, actor, (e) => {
      assertApprovable(e);
      return { status: 'queued', reason: `approved by ${actor.name}`, kind: 'rollback.approved', message: `Rollback hook ${e.hook} approved by ${actor.name}; sending` };
    });
  }

  cancel(id: number, actor: Actor): Promise<RollbackExecution> {
    return this.change(id, actor, (e) => {
      assertCancellable(e);
      return { status: 'cancelled', reason: `cancelled by ${actor.name}`, kind: 'rollback.cancelled', message: `Rollback hook ${e.hook} cancelled by ${actor.name}` };
    });
  }

  /** A new attempt on the same row, with the hook's retries again; recorded with who asked. */
  retry(id: number, actor: Actor): Promise<RollbackExecution> {
    return this.change(id, actor, (e) => {
      assertRetryable(e);
      const hook = this.rules.rollbackHooks().find((h) => h.name === e.hook);
      if (!hook) throw new ConflictError(`rollback hook ${e.hook} is no longer declared in alerts/; declare it again to retry execution ${e.id}`);
      e.maxAttempts = e.attempts + hook.retries + 1;
      return { status: 'queued', reason: `retried by ${actor.name}`, kind: 'rollback.retried', message: `Rollback hook ${e.hook} retried by ${actor.name} (was ${e.status.replace('_', ' ')})` };
    });
  }

  private async change(
    id: number,
    actor: Actor,
    apply: (e: RollbackExecution) => { status: ExecutionStatus; reason: string; kind: string; message: string },
  ): Promise<RollbackExecution> {
    const saved = await this.dataSource.transaction(async (m) => {
      const e = await m.findOne(RollbackExecution, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!e) throw new NotFoundError('rollback execution', id);
      const before = e.status;
      const step = apply(e);
      const at = this.clock.now();
      e.status = step.status;
      e.reason = step.reason;
      e.requestedBy = actor.name;
      e.updatedAt = at;
      if (step.status === 'queued') {
        e.nextAttemptAt = at;
        e.finishedAt = null;
        e.lastError = null;
        // The database's clock decides when a queued row is due.
        await m.save(e);
        await m.query(`UPDATE rollback_executions SET next_attempt_at = now() WHERE id = $1`, [id]);
      } else {
        e.finishedAt = at;
        await m.save(e);
      }
      await recordStep(m, this.outbox, this.audit, {
        incidentId: e.incidentId, executionId: e.id, at, actor, kind: step.kind, message: step.message,
        data: { hook: e.hook, policy: e.policy, status: step.status }, before: { status: before }, after: { status: step.status },
      });
      return e;
    });
    this.outbox.wake();
    if (saved.status === 'queued') this.store.wake();
    return saved;
  }

  async get(id: number): Promise<RollbackExecution> {
    const found = await this.dataSource.getRepository(RollbackExecution).findOneBy({ id });
    if (!found) throw new NotFoundError('rollback execution', id);
    return found;
  }

  /** react-admin list; filters: incidentId (or incident_id), status, hook, policy, mode, id. */
  async list(q: ListQuery): Promise<{ items: RollbackExecution[]; total: number }> {
    const f = q.filter;
    const qb = this.dataSource.getRepository(RollbackExecution).createQueryBuilder('e');
    const values = (key: string): string[] | undefined => (f[key] === undefined ? undefined : [f[key]].flat().map(String));
    const ids = (key: string): number[] | undefined => {
      const v = values(key);
      if (!v) return undefined;
      const n = v.map(Number);
      if (n.some((x) => !Number.isInteger(x))) throw new ValidationError([{ field: `filter.${key}`, message: 'must be a whole number or a list of them' }]);
      return n;
    };
    const incident = ids('incidentId') ?? ids('incident_id');
    if (incident) qb.andWhere('e.incident_id IN (:...incident)', { incident });
    const only = ids('id');
    if (only) qb.andWhere('e.id IN (:...only)', { only });
    const status = values('status');
    if (status) {
      const bad = status.filter((s) => !(EXECUTION_STATUSES as readonly string[]).includes(s));
      if (bad.length) throw new ValidationError([{ field: 'filter.status', message: `must be one of ${EXECUTION_STATUSES.join(', ')} (got ${bad.join(', ')})` }]);
      qb.andWhere('e.status IN (:...status)', { status });
    }
    for (const key of ['hook', 'policy', 'mode'] as const) {
      const v = values(key);
      if (v) qb.andWhere(`e.${key} IN (:...${key})`, { [key]: v });
    }
    // Executions a guardrail breach on this experiment set off (the trigger records it).
    const experiment = values('experiment');
    if (experiment) qb.andWhere(`e.trigger->>'experiment' IN (:...experiment)`, { experiment });
    qb.orderBy(`e.${q.sort.field}`, q.sort.order);
    if (q.sort.field !== 'id') qb.addOrderBy('e.id', 'DESC');
    const [items, total] = await qb.skip(q.offset).take(q.limit).getManyAndCount();
    return { items, total };
  }

  /** The Roll back button on the page, one per execution waiting for approval. */
  async buttons(incidentId: number): Promise<IncidentButton[]> {
    const pending = await this.dataSource.getRepository(RollbackExecution).find({ where: { incidentId, status: 'pending_approval' }, order: { id: 'ASC' } });
    return pending.map((e) => ({
      actionId: ACTION_ROLLBACK_APPROVE,
      text: pending.length === 1 ? 'Roll back' : `Roll back: ${e.hook}`,
      value: String(e.id),
      style: 'danger' as const,
      confirm: { title: 'Roll back?', text: `Call rollback hook ${e.hook} (policy ${e.policy}) now.`, confirm: 'Roll back', deny: 'Cancel' },
    }));
  }

  /**
   * A click on Roll back. Only responders and admins may approve (the Slack receiver decides,
   * with SlackIdentityService); anyone else's click is refused and the refusal noted on the
   * timeline (and in the thread).
   */
  async click(actionId: string, value: string, who: ClickActor): Promise<boolean> {
    if (actionId !== ACTION_ROLLBACK_APPROVE) return false;
    const id = Number(value);
    const actor: Actor = { type: 'slack', id: who.id, name: who.name };
    if (!who.allowed) {
      const e = await this.get(id);
      await this.dataSource.transaction((m) =>
        recordStep(m, this.outbox, this.audit, {
          incidentId: e.incidentId, executionId: e.id, at: this.clock.now(), actor, kind: 'rollback.approval-refused',
          message: `${who.name} may not approve rollbacks (only responders and admins may); rollback hook ${e.hook} still waits for approval`,
          data: { hook: e.hook, slackUser: who.id },
        }),
      );
      this.outbox.wake();
      return true;
    }
    await this.approve(id, actor);
    return true;
  }
}

function triggerOf(policy: RollbackPolicy, signal: Signal, suspect: SuspectChange | null): Record<string, string | null> {
  const labels = signal.labels ?? {};
  return {
    ...(suspect ? suspectFields(suspect) : {}),
    kind: policy.trigger.kind,
    fingerprint: signal.fingerprint,
    service: signal.service,
    slo: signal.sloId ?? null,
    experiment: labels.experiment ?? null,
    variant: labels.variant ?? null,
    metric: labels.metric ?? null,
  };
}

function createdStep(status: ExecutionStatus, hook: RollbackHook, policy: RollbackPolicy, reason: string): { kind: string; message: string } {
  switch (status) {
    case 'queued':
      return { kind: 'rollback.queued', message: `Rollback: policy ${policy.name} fires hook ${hook.name} (${hook.method} ${hook.url}); ${reason}` };
    case 'pending_approval':
      return { kind: 'rollback.approval-requested', message: `Rollback hook ${hook.name} waits for approval (policy ${policy.name}): press Roll back in Slack or approve it in the console` };
    case 'dry_run':
      return { kind: 'rollback.dry-run', message: `Rollback dry run: policy ${policy.name} would call ${hook.method} ${hook.url} (hook ${hook.name}); nothing was sent` };
    default:
      return { kind: 'rollback.skipped', message: `Rollback hook ${hook.name} skipped (policy ${policy.name}): ${reason}` };
  }
}

/** The suspect change in the trigger (flat, as the jsonb column keeps it): hook templates read `{{change.*}}`. */
function suspectFields(c: SuspectChange): Record<string, string | null> {
  return {
    'change.id': String(c.id), 'change.kind': c.kind, 'change.service': c.service, 'change.summary': c.summary,
    'change.version': c.version, 'change.previousVersion': c.previousVersion, 'change.link': c.link,
  };
}
