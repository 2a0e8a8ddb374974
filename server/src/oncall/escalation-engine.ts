import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { ConflictError, NotFoundError } from '../common/errors';
import { LOGGER, type Logger } from '../common/logger';
import { AppMetrics } from '../common/metrics';
import { ScheduledJob } from '../common/scheduled-job';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LeaseService } from '../common/lease.service';
import { writeTimeline, type TimelineDraft } from '../incidents/incident-records';
import { IncidentStore } from '../incidents/incident-store';
import { SYSTEM_ACTOR, type Actor } from '../incidents/actor';
import { OutboxService } from '../outbox/outbox.service';
import { RoutesService } from '../rules/routes.service';
import { decide, escalateNow, initialState, type Decision, type EscalationState, type WatchedStatus } from './escalation';
import { Escalation } from './escalation.entity';
import { ESCALATION_CHANNEL_TOPIC } from './escalation-topics';
import type { NotifyTargets } from './escalation-policy';
import { OncallService, type OncallUser } from './oncall.service';
import { PersonalPager } from './personal-pager';
import { whoIsOnCall } from './schedule';


const LEASE = 'escalations';
const BATCH = 50;

interface DueRow {
  incident_id: number;
  status: WatchedStatus;
  acknowledged_at: string | Date | null;
}

/**
 * Runs escalation policies. When an incident is paged (`start`, called in the paging
 * transaction; see pipeline.ts) the route's policy is copied into an `escalations` row and its first step is
 * taken at once. A periodic pass (one process at a time by lease; rows claimed with FOR UPDATE
 * SKIP LOCKED, so a second pass or process never takes the same row) advances rows that are due
 * or whose incident changed status. Every step writes its outbox messages, keyed by (incident,
 * round, step, kind, recipient) so a repeated pass can never send twice, and its timeline line,
 * in the same transaction as the new state.
 */
@Injectable()
export class EscalationEngine implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: ScheduledJob;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly oncall: OncallService,
    private readonly routes: RoutesService,
    private readonly incidents: IncidentStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly leases: LeaseService,
    private readonly scheduler: SchedulerRegistry,
    private readonly metrics: AppMetrics,
    private readonly audit: AuditService,
    private readonly pager: PersonalPager,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.escalationIntervalSeconds;
    const lease = { service: this.leases, ttlSeconds: Math.max(10, seconds * 3) };
    this.job = ScheduledJob.start({ name: LEASE, everyMs: seconds * 1000, lease, run: () => this.runDue(), logger: this.logger, scheduler: this.scheduler });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** Which policy an incident follows: its route's (by name, else chosen by its labels), else `default`. */
  policyFor(incident: { route: string | null; labels: Record<string, string>; service: string; severity: string; source: string }): string | null {
    const route = this.routes.forIncident(incident);
    return route.escalationPolicy ?? (this.oncall.policy('default') ? 'default' : null);
  }

  /** In the transaction that pages the incident: snapshot the policy and take the first step. */
  async start(m: EntityManager, incidentId: number): Promise<void> {
    const incident = await this.incidents.facts(incidentId, m);
    // Pages go through escalation; tickets never do (the writer does not page them; this holds if one ever did).
    if (!incident || incident.urgency === 'ticket') return;
    const name = this.policyFor(incident);
    if (!name) return;
    const now = this.clock.now();
    const loaded = this.oncall.policy(name);
    if (!loaded) {
      await writeTimeline(m, this.outbox, [note(incidentId, now, SYSTEM_ACTOR, 'escalation.failed', `No escalation: policy ${name} is not defined (see GET /api/rules/status and alerts/*.yaml)`, { policy: name })]);
      return;
    }
    const state = initialState(now);
    const inserted: unknown[] = await m.query(
      `INSERT INTO escalations (incident_id, policy_name, policy, step, round, next_at, wake_at, last_status, reminders, notified_users, started_at, updated_at)
       VALUES ($1, $2, $3, 0, 0, $4, $4, 'triggered', 0, '[]', $4, $4)
       ON CONFLICT ON CONSTRAINT pk_escalations DO NOTHING
       RETURNING incident_id`,
      [incidentId, name, JSON.stringify(loaded.policy), now.toISOString()],
    );
    if (inserted.length === 0) return;
    const p = loaded.policy;
    await writeTimeline(m, this.outbox, [note(incidentId, now, SYSTEM_ACTOR, 'escalation.started',
      `Escalation policy ${name} started: ${p.steps.length} step${p.steps.length === 1 ? '' : 's'}${p.repeat ? `, repeated ${p.repeat} time${p.repeat === 1 ? '' : 's'}` : ''}`, { policy: name, snapshot: p })]);
    const row = await m.findOneByOrFail(Escalation, { incidentId });
    await this.apply(m, row, { status: incident.status, acknowledged_at: incident.acknowledged_at, incident_id: incidentId }, decide(state, row.policy, view(incident), now), now, SYSTEM_ACTOR);
  }

  /**
   * In the transaction that changes the incident's status: look at its escalation on the next
   * pass (a step to stop, a reminder to start, a re-opened incident to page again).
   */
  async wake(m: EntityManager, incidentId: number): Promise<void> {
    await m.query(`UPDATE escalations SET wake_at = $2 WHERE incident_id = $1`, [incidentId, this.clock.now().toISOString()]);
  }

  /** Advances every escalation that is due, or woken by its incident's change; returns how many. */
  async runDue(): Promise<number> {
    const now = this.clock.now();
    // A cheap look first: on PGlite a transaction holds up every other query.
    const [any] = await this.dataSource.query(`SELECT 1 FROM escalations WHERE wake_at <= $1 LIMIT 1`, [now.toISOString()]);
    if (!any) return 0;
    let total = 0;
    for (;;) {
      const done = await this.dataSource.transaction(async (m) => {
        const rows = await m
          .createQueryBuilder(Escalation, 'e')
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .where('e.wake_at <= :now', { now: now.toISOString() })
          .orderBy('e.incident_id')
          .limit(BATCH)
          .getMany();
        if (rows.length === 0) return 0;
        // The incidents too, so no status changes while a step is taken; one another process
        // holds is left for the next pass.
        const statuses = await this.incidents.lockStatuses(m, rows.map((r) => r.incidentId), { skipLocked: true });
        const byId = new Map(statuses.map((s) => [Number(s.id), s]));
        for (const row of rows) {
          const incident = byId.get(row.incidentId);
          if (!incident) continue;
          const due: DueRow = { incident_id: row.incidentId, status: incident.status as WatchedStatus, acknowledged_at: incident.acknowledged_at };
          await this.apply(m, row, due, decide(stateOf(row), row.policy, view(due), now), now, SYSTEM_ACTOR);
        }
        return rows.length;
      });
      total += done;
      if (done < BATCH) break;
    }
    if (total > 0) this.outbox.wake();
    return total;
  }

  /** "Escalate": take the pending step now. 409 when no escalation runs for the incident. */
  async escalate(incidentId: number, actor: Actor): Promise<{ incidentId: number; policy: string; step: number; round: number }> {
    const result = await this.dataSource.transaction(async (m) => {
      const [incident] = await this.incidents.lockStatuses(m, [incidentId], { skipLocked: false });
      if (!incident) throw new NotFoundError('incident', incidentId);
      const row = await m.findOne(Escalation, { where: { incidentId }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new ConflictError(`no escalation runs for incident ${incidentId}: its route names no escalation policy`);
      const now = this.clock.now();
      const decision = escalateNow(stateOf(row), row.policy, view(incident), now);
      if (!decision) {
        throw new ConflictError(incident.status === 'triggered'
          ? `the escalation of incident ${incidentId} has taken every step of policy ${row.policyName}`
          : `incident ${incidentId} is ${incident.status}: its escalation has stopped`);
      }
      const taken = decision.actions.find((a) => a.kind === 'step');
      await this.apply(m, row, { incident_id: incidentId, status: incident.status, acknowledged_at: incident.acknowledged_at }, decision, now, actor);
      await this.audit.record(m, {
        at: now, actor, action: 'incident.escalated', entityType: 'incident', entityId: incidentId,
        before: null, after: { policy: row.policyName, step: taken && taken.kind === 'step' ? taken.step + 1 : null },
      });
      return { incidentId, policy: row.policyName, step: taken && taken.kind === 'step' ? taken.step + 1 : 0, round: taken && taken.kind === 'step' ? taken.round + 1 : 0 };
    });
    this.outbox.wake();
    return result;
  }

  /** Carries out a decision: outbox messages and timeline lines, then the new state. */
  private async apply(m: EntityManager, row: Escalation, incident: DueRow, decision: Decision, now: Date, actor: Actor): Promise<void> {
    const id = row.incidentId;
    const drafts: TimelineDraft[] = [];
    let notifiedUsers = row.notifiedUsers;
    let users: Map<string, OncallUser> | undefined;
    const loadUsers = async () => (users ??= await this.oncall.users(m));
    for (const action of decision.actions) {
      this.metrics.escalationActions.inc({ policy: row.policyName, action: action.kind });
      switch (action.kind) {
        case 'step': {
          const label = `step ${action.step + 1}${action.round > 0 ? ` (repeat ${action.round})` : ''}`;
          const targets = await this.recipients(m, action.notify, now, await loadUsers());
          const reached: string[] = [];
          const paged: string[] = [];
          for (const t of targets.users) {
            const page = { keyPrefix: stepKey(id, action), dmPayload: { step: action.step + 1, round: action.round + 1, reason: t.reason }, reason: `escalation ${label}`, purpose: 'page' as const };
            if (await this.pager.page(m, { incidentId: id, user: t.user, now, ...page }, drafts)) {
              paged.push(`paged ${t.user.name}${t.reason ? ` (${t.reason})` : ''}`);
            }
            reached.push(t.user.email);
          }
          if (action.notify.channel || action.notify.userGroup) {
            const { channel, userGroup } = action.notify;
            await this.outbox.enqueue(m, {
              key: `${stepKey(id, action)}:channel:${channel ?? 'page'}${userGroup ? `:group:${userGroup}` : ''}`,
              topic: ESCALATION_CHANNEL_TOPIC,
              incidentId: id,
              // Without a channel the post goes to the incident's page channel.
              payload: { channel: channel ?? null, userGroup: userGroup ?? null, step: action.step + 1, round: action.round + 1 },
            });
            paged.push(userGroup ? `mentioned user group ${userGroup} in ${channel ?? 'the page channel'}` : `posted to ${channel}`);
          }
          drafts.push(...targets.problems.map((message) => note(id, now, SYSTEM_ACTOR, 'escalation.failed', message)));
          const by = actor.type === 'system' ? '' : ` by ${actor.name}`;
          drafts.push({
            incidentId: id, at: now, actor,
            event: {
              kind: 'incident.escalated',
              message: `Escalated to ${label}${by}: ${paged.length ? paged.join(', ') : 'nobody could be notified'}`,
              data: { policy: row.policyName, step: action.step + 1, round: action.round + 1, users: reached, channel: action.notify.channel ?? null, userGroup: action.notify.userGroup ?? null },
            },
          });
          if (reached.length > 0) notifiedUsers = reached;
          break;
        }
        case 'reminder': {
          const known = await loadUsers();
          const ackMs = incident.acknowledged_at ? new Date(incident.acknowledged_at).getTime() : 0;
          const names: string[] = [];
          for (const email of notifiedUsers) {
            const user = known.get(email);
            if (!user) continue;
            const reminder = { keyPrefix: `escalation:${id}:reminder:${ackMs}:${action.n}`, dmPayload: { reminder: action.n }, reason: `reminder ${action.n}`, purpose: 'reminder' as const };
            if (await this.pager.page(m, { incidentId: id, user, now, ...reminder }, drafts)) names.push(user.name);
          }
          drafts.push(note(id, now, SYSTEM_ACTOR, 'escalation.reminded',
            `Reminder ${action.n}: acknowledged but still open${names.length ? `; reminded ${names.join(', ')}` : '; nobody to remind'}`, { reminder: action.n, users: notifiedUsers }));
          break;
        }
        case 'stopped':
          drafts.push(note(id, now, SYSTEM_ACTOR, 'escalation.stopped', `Escalation stopped: the incident was ${action.reason}`, { reason: action.reason }));
          break;
        case 'resumed':
          drafts.push(note(id, now, SYSTEM_ACTOR, 'escalation.resumed', 'Escalation resumed: the incident is triggered again'));
          break;
        case 'exhausted':
          drafts.push(note(id, now, SYSTEM_ACTOR, 'escalation.exhausted', `Escalation policy ${row.policyName} finished: every step taken ${action.rounds} time${action.rounds === 1 ? '' : 's'} without an acknowledgement`));
          break;
      }
    }
    await writeTimeline(m, this.outbox, drafts);
    const s = decision.state;
    await m.query(
      `UPDATE escalations SET step = $2, round = $3, next_at = $4, wake_at = $5, last_status = $6, reminders = $7, notified_users = $8, updated_at = $9, run = $10
       WHERE incident_id = $1`,
      [id, s.step, s.round, s.nextAt?.toISOString() ?? null, decision.wakeAt?.toISOString() ?? null, s.lastStatus, s.reminders, JSON.stringify(notifiedUsers), now.toISOString(), s.run],
    );
  }

  /**
   * Whom a page of this incident is for now: the people its escalation notified last, else the
   * people its first step would notify (nobody was reached yet). Slack's fallback reaches them.
   */
  async currentTargets(incidentId: number): Promise<{ emails: string[]; users: Map<string, OncallUser> }> {
    const m = this.dataSource.manager;
    const users = await this.oncall.users(m);
    const row = await m.findOneBy(Escalation, { incidentId });
    if (!row) return { emails: [], users };
    if (row.notifiedUsers.length > 0) return { emails: row.notifiedUsers, users };
    const first = row.policy.steps[0];
    if (!first) return { emails: [], users };
    const { users: targets } = await this.recipients(m, first.notify, this.clock.now(), users);
    return { emails: targets.map((t) => t.user.email), users };
  }

  /** The people a step notifies: the schedule's on-call now, and the listed users. */
  private async recipients(m: EntityManager, notify: NotifyTargets, now: Date, users: Map<string, OncallUser>) {
    const out: Array<{ user: OncallUser; reason: string | null }> = [];
    const problems: string[] = [];
    if (notify.schedule) {
      const schedule = (await this.oncall.effectiveSchedules(m, users)).find((e) => e.schedule.id === notify.schedule);
      const who = schedule ? whoIsOnCall(schedule.schedule, now) : null;
      if (!schedule) problems.push(`could not notify the on-call of ${notify.schedule}: no such schedule`);
      else if (!who) problems.push(`could not notify the on-call of ${notify.schedule}: nobody is on call`);
      else out.push({ user: users.get(who.user)!, reason: `on call for ${notify.schedule}` });
    }
    for (const email of notify.users ?? []) {
      const user = users.get(email.toLowerCase());
      if (!user) problems.push(`could not notify ${email}: not an active Headroom user`);
      else if (!out.some((o) => o.user.email === user.email)) out.push({ user, reason: null });
    }
    return { users: out, problems };
  }
}

function view(incident: { status: WatchedStatus; acknowledged_at: string | Date | null }) {
  return { status: incident.status, acknowledgedAt: incident.acknowledged_at ? new Date(incident.acknowledged_at) : null };
}

function stateOf(row: Escalation): EscalationState {
  return { step: row.step, round: row.round, nextAt: row.nextAt, lastStatus: row.lastStatus, reminders: row.reminders, run: row.run };
}

/** The idempotency prefix of a step's sends: a policy that starts over sends again, a repeated pass never does. */
function stepKey(incidentId: number, step: { run: number; round: number; step: number }): string {
  return `escalation:${incidentId}:${step.run > 0 ? `run${step.run}:` : ''}r${step.round}:s${step.step}`;
}

function note(incidentId: number, at: Date, actor: Actor, kind: string, message: string, data: Record<string, unknown> = {}): TimelineDraft {
  return { incidentId, at, actor, event: { kind, message, data, notify: false } };
}
