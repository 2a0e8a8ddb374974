import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { UserStore } from '../auth/user-store';
import { CLOCK, type Clock } from '../common/clock';
import { NotFoundError, ValidationError } from '../common/errors';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { Actor } from '../incidents/actor';
import { RulesService } from '../rules/rules.service';
import { formatProblem, RulesError, type RuleProblem } from '../rules/yaml-source';
import { scheduleToICal, userToICal } from './ical';
import { loadOncall, type LoadedPolicy, type LoadedSchedule, type OncallRules } from './oncall-loader';
import type { Schedule } from './schedule-definition';
import { shiftsInRange, whoIsOnCall, type OnCallShift, type ScheduleWithOverrides } from './schedule';
import { ScheduleOverride } from './schedule-override.entity';

/** The part of a Headroom user that paging needs. */
export interface OncallUser {
  id: string;
  email: string;
  name: string;
  slackUserId: string | null;
}

/** A participant the YAML names but the users table does not have (or has disabled): skipped. */
export interface ParticipantProblem {
  schedule: string;
  file: string;
  field: string;
  user: string;
  message: string;
}

export interface EffectiveSchedule {
  schedule: ScheduleWithOverrides;
  file: string;
  problems: ParticipantProblem[];
}

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 366 * DAY_MS;

/**
 * Schedules from alerts/*.yaml (reloaded with the rules) merged with overrides made through the
 * API, with participants resolved to Headroom users by email. A participant who is not a user
 * is reported (status(), GET /api/oncall/status) and left out, never a crash: a rotation then
 * turns over the people that remain, so somebody is always on call.
 */
@Injectable()
export class OncallService {
  private rules: OncallRules;
  private loadProblems: RuleProblem[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly userStore: UserStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    rules: RulesService,
    private readonly audit: AuditService,
  ) {
    this.rules = loadOncall(config.alertsDir);
    rules.onReload(() => this.reload());
  }

  /** Re-reads the YAML; a bad change is reported and the previous schedules stay in force. */
  reload(): RuleProblem[] {
    try {
      this.rules = loadOncall(this.config.alertsDir);
      this.loadProblems = [];
      this.logger.info({ schedules: this.rules.schedules.length, policies: this.rules.policies.size }, 'on-call schedules and escalation policies reloaded');
    } catch (err) {
      if (!(err instanceof RulesError)) throw err;
      this.loadProblems = err.problems;
      this.logger.error({ problems: err.problems.map(formatProblem) }, 'on-call rules not reloaded; the previous ones stay in force');
    }
    return this.loadProblems;
  }

  /** For tests: replace the YAML rules. */
  replaceRules(rules: OncallRules): void {
    this.rules = rules;
  }

  policy(name: string): LoadedPolicy | undefined {
    return this.rules.policies.get(name);
  }

  policies(): LoadedPolicy[] {
    return [...this.rules.policies.values()];
  }

  scheduleIds(): string[] {
    return this.rules.schedules.map((s) => s.schedule.id);
  }

  async users(m: EntityManager = this.dataSource.manager): Promise<Map<string, OncallUser>> {
    const active = await this.userStore.active(m);
    return new Map(active.map((u) => [u.email.toLowerCase(), { ...u, email: u.email.toLowerCase() }]));
  }

  /** Every schedule with API overrides merged in and unknown participants left out. */
  async effectiveSchedules(m: EntityManager = this.dataSource.manager, users?: Map<string, OncallUser>): Promise<EffectiveSchedule[]> {
    const known = users ?? (await this.users(m));
    const since = new Date(this.clock.now().getTime() - MAX_RANGE_MS);
    const overrides = await m
      .getRepository(ScheduleOverride)
      .createQueryBuilder('o')
      .where('o.end_at > :since', { since: since.toISOString() })
      .orderBy('o.id')
      .getMany();
    return this.rules.schedules.map((loaded) => resolveParticipants(loaded, overrides.filter((o) => o.scheduleId === loaded.schedule.id), known));
  }

  async effectiveSchedule(id: string, m: EntityManager = this.dataSource.manager, users?: Map<string, OncallUser>): Promise<EffectiveSchedule> {
    const found = (await this.effectiveSchedules(m, users)).find((s) => s.schedule.id === id);
    if (!found) throw new NotFoundError('schedule', id);
    return found;
  }

  /** Problems of the last reload and participants that are not Headroom users. */
  async status(): Promise<{ schedules: number; escalationPolicies: number; problems: RuleProblem[]; participants: ParticipantProblem[]; policyUsers: Array<{ policy: string; file: string; field: string; user: string; message: string }> }> {
    const users = await this.users();
    const all = await this.effectiveSchedules(undefined, users);
    const policyUsers = this.policies().flatMap(({ policy, file }) =>
      policy.steps.flatMap((step, i) =>
        (step.notify.users ?? [])
          .filter((u) => !users.has(u))
          .map((user) => ({ policy: policy.name, file, field: `escalationPolicies.${policy.name}.steps.${i}.notify.users`, user, message: `no active Headroom user with email ${user}; the step will note it on the timeline and go on` })),
      ),
    );
    return {
      schedules: this.rules.schedules.length,
      escalationPolicies: this.rules.policies.size,
      problems: this.loadProblems,
      participants: all.flatMap((s) => s.problems),
      policyUsers,
    };
  }

  /** react-admin list: every schedule with who is on call now. */
  async list(): Promise<Array<Record<string, unknown>>> {
    const users = await this.users();
    const now = this.clock.now();
    return (await this.effectiveSchedules(undefined, users)).map((e) => ({
      id: e.schedule.id,
      name: e.schedule.name,
      timeZone: e.schedule.timeZone,
      file: e.file,
      layers: e.schedule.layers.map((l) => l.name),
      onCallNow: onCallAt(e.schedule, now, users),
      problems: e.problems,
    }));
  }

  /** Who is on call now, for every schedule. */
  async onCallNow(): Promise<Array<Record<string, unknown>>> {
    const users = await this.users();
    const now = this.clock.now();
    return (await this.effectiveSchedules(undefined, users)).map((e) => ({
      schedule: { id: e.schedule.id, name: e.schedule.name },
      onCall: onCallAt(e.schedule, now, users),
    }));
  }

  /** The schedule, its overrides (YAML and API) and its final shifts in [from, to). */
  async detail(id: string, fromText?: string, toText?: string): Promise<Record<string, unknown>> {
    const { from, to } = this.range(fromText, toText, 14);
    const users = await this.users();
    const e = await this.effectiveSchedule(id, undefined, users);
    const api = await this.dataSource.getRepository(ScheduleOverride).find({ where: { scheduleId: id }, order: { startAt: 'ASC' } });
    return {
      id: e.schedule.id,
      name: e.schedule.name,
      timeZone: e.schedule.timeZone,
      file: e.file,
      layers: e.schedule.layers,
      overrides: [
        ...e.schedule.overrides.map((o) => ({ ...o, origin: 'yaml' })),
        ...api.map((o) => ({ id: o.id, user: o.userEmail, start: o.startAt, end: o.endAt, createdBy: o.createdBy, origin: 'api' })),
      ],
      swaps: e.schedule.swaps,
      problems: e.problems,
      onCallNow: onCallAt(e.schedule, this.clock.now(), users),
      from,
      to,
      shifts: shiftsInRange(e.schedule, from, to).map((s) => shiftView(s, users)),
    };
  }

  /** An override from the API: stored, audited, merged with the YAML ones (and winning over them). */
  async addOverride(id: string, input: { user: string; start: string; end: string }, actor: Actor): Promise<Record<string, unknown>> {
    if (!this.rules.schedules.some((s) => s.schedule.id === id)) throw new NotFoundError('schedule', id);
    const email = input.user.trim().toLowerCase();
    const start = new Date(input.start);
    const end = new Date(input.end);
    const issues: Array<{ field: string; message: string }> = [];
    if (Number.isNaN(start.getTime())) issues.push({ field: 'start', message: 'must be an ISO time with an offset, e.g. 2026-12-24T18:00:00Z' });
    if (Number.isNaN(end.getTime())) issues.push({ field: 'end', message: 'must be an ISO time with an offset, e.g. 2026-12-25T09:00:00Z' });
    if (issues.length === 0 && end.getTime() <= start.getTime()) issues.push({ field: 'end', message: 'must be after start' });
    if (issues.length === 0 && end.getTime() - start.getTime() > MAX_RANGE_MS) issues.push({ field: 'end', message: 'an override may last at most 366 days' });
    const users = await this.users();
    if (!users.has(email)) issues.push({ field: 'user', message: `no active Headroom user with email ${email} (add them on the People page first)` });
    if (issues.length > 0) throw new ValidationError(issues);
    const saved = await this.dataSource.transaction(async (m) => {
      const row = await m.save(m.create(ScheduleOverride, { scheduleId: id, userEmail: email, startAt: start, endAt: end, createdBy: actor.name }));
      await this.audit.record(m, {
        at: this.clock.now(), actor, action: 'schedule.override-added', entityType: 'schedule', entityId: id,
        before: null, after: { overrideId: row.id, user: email, start: start.toISOString(), end: end.toISOString() },
      });
      return row;
    });
    return { id: saved.id, scheduleId: id, user: saved.userEmail, start: saved.startAt, end: saved.endAt, createdBy: saved.createdBy };
  }

  async removeOverride(id: string, overrideId: number, actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await m.findOne(ScheduleOverride, { where: { id: overrideId, scheduleId: id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new NotFoundError(`override of schedule ${id}`, overrideId);
      await m.delete(ScheduleOverride, { id: overrideId });
      await this.audit.record(m, {
        at: this.clock.now(), actor, action: 'schedule.override-removed', entityType: 'schedule', entityId: id,
        before: { overrideId, user: row.userEmail, start: row.startAt.toISOString(), end: row.endAt.toISOString() }, after: null,
      });
    });
  }

  async scheduleCalendar(id: string): Promise<string> {
    const e = await this.effectiveSchedule(id);
    const { from, to } = this.calendarRange();
    return scheduleToICal(e.schedule, from, to, { calendarName: `On call: ${e.schedule.name}`, url: `${this.config.publicUrl}/api/schedules/${id}/calendar.ics`, stamp: this.clock.now() });
  }

  async userCalendar(userId: string): Promise<string> {
    const user = await this.userStore.byId(userId);
    if (!user) throw new NotFoundError('user', userId);
    const { from, to } = this.calendarRange();
    const schedules = (await this.effectiveSchedules()).map((e) => e.schedule);
    return userToICal(user.email.toLowerCase(), schedules, from, to, {
      calendarName: `On call: ${user.name}`, url: `${this.config.publicUrl}/api/users/${userId}/calendar.ics`, stamp: this.clock.now(),
    });
  }

  /** A subscription shows the last week and the next 90 days. */
  private calendarRange(): { from: Date; to: Date } {
    const now = this.clock.now().getTime();
    return { from: new Date(now - 7 * DAY_MS), to: new Date(now + 90 * DAY_MS) };
  }

  private range(fromText: string | undefined, toText: string | undefined, defaultDays: number): { from: Date; to: Date } {
    const from = fromText ? new Date(fromText) : this.clock.now();
    const to = toText ? new Date(toText) : new Date(from.getTime() + defaultDays * DAY_MS);
    const issues: Array<{ field: string; message: string }> = [];
    if (Number.isNaN(from.getTime())) issues.push({ field: 'from', message: 'must be an ISO time' });
    if (Number.isNaN(to.getTime())) issues.push({ field: 'to', message: 'must be an ISO time' });
    if (issues.length === 0 && to.getTime() <= from.getTime()) issues.push({ field: 'to', message: 'must be after from' });
    if (issues.length === 0 && to.getTime() - from.getTime() > MAX_RANGE_MS) issues.push({ field: 'to', message: 'the range may span at most 366 days' });
    if (issues.length > 0) throw new ValidationError(issues);
    return { from, to };
  }
}

function userView(email: string, users: Map<string, OncallUser>): Record<string, unknown> {
  const u = users.get(email.toLowerCase());
  return u ? { id: u.id, email: u.email, name: u.name } : { id: null, email, name: email };
}

function onCallAt(schedule: Schedule, at: Date, users: Map<string, OncallUser>): Record<string, unknown> | null {
  const now = whoIsOnCall(schedule, at);
  if (!now) return null;
  return { user: userView(now.user, users), layer: now.layer, source: now.source, shiftStart: now.shiftStart, shiftEnd: now.shiftEnd };
}

function shiftView(s: OnCallShift, users: Map<string, OncallUser>): Record<string, unknown> {
  return { user: userView(s.user, users), start: s.start, end: s.end, layer: s.layer, source: s.source, override: s.source === 'override' };
}

/** Leaves out participants, override holders and swap takers that are not active users. */
export function resolveParticipants(loaded: LoadedSchedule, apiOverrides: ScheduleOverride[], users: Map<string, OncallUser>): EffectiveSchedule {
  const { schedule, file } = loaded;
  const problems: ParticipantProblem[] = [];
  const known = (email: string, field: string): boolean => {
    if (users.has(email.toLowerCase())) return true;
    problems.push({ schedule: schedule.id, file, field, user: email, message: `no active Headroom user with email ${email}; left out of schedule ${schedule.id}` });
    return false;
  };
  const lower = (e: string) => e.toLowerCase();
  const layers = schedule.layers
    .map((layer, i) => ({ ...layer, participants: layer.participants.filter((p, j) => known(p, `schedules.${schedule.id}.layers.${i}.participants.${j}`)).map(lower) }))
    .filter((layer) => layer.participants.length > 0);
  const overrides = schedule.overrides.filter((o, i) => known(o.user, `schedules.${schedule.id}.overrides.${i}.user`)).map((o) => ({ ...o, user: lower(o.user) }));
  const swaps = schedule.swaps.filter((s, i) => known(s.to, `schedules.${schedule.id}.swaps.${i}.to`)).map((s) => ({ ...s, from: lower(s.from), to: lower(s.to) }));
  const instantOverrides = apiOverrides
    .filter((o) => known(o.userEmail, `overrides.${o.id}.user`))
    .map((o) => ({ user: lower(o.userEmail), start: o.startAt, end: o.endAt }));
  return { schedule: { ...schedule, layers, overrides, swaps, instantOverrides }, file, problems };
}
