import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, type AuditDraft } from '../../audit/audit.service';
import { CLOCK, type Clock } from '../../common/clock';
import { LOGGER, type Logger } from '../../common/logger';
import { AppMetrics } from '../../common/metrics';
import { withSpan } from '../../common/telemetry';
import { returnedRows } from '../../common/returned-rows';
import { formatDuration } from '../../common/duration';
import { OutboxService } from '../../outbox/outbox.service';
import type { AlertOutcome, IncomingAlert } from './incoming-alert';
import { RoutesService } from '../../rules/routes.service';
import { alertKeyOf, applyMutes, collapseDeliveries, groupByIncident, joinWithinGroupWait, planAlert, takeBatch, takeRepeats, type AlertGroup, type OpenRouteIncident, type PlannedAlert } from './alert-grouping';
import { Incident } from '../incident.entity';
import * as lifecycle from '../incident-lifecycle';
import { INCIDENT_TRANSITIONS, type IncidentTransitionHandler } from '../incident-transitions';
import { pgCode, writeTimeline, type TimelineDraft } from '../incident-records';
import { applyRepeats } from './alert-repeats';
import { IncidentWriter, type AddedDelivery, type IncidentDraft } from '../incident-writer';
import { loadMuteSnapshot, type MuteSnapshot } from '../mute';
import type { Actor } from '../actor';

/** What one transaction decided; outcomes are in the order the alerts came in. */
interface Applied {
  outcomes: AlertOutcome[];
  notify: boolean;
}

const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;
/** Upper bound on the alerts one group commit takes, to keep transactions short. */
const MAX_ALERTS_PER_COMMIT = 2000;
/** Bound on the alert keys remembered as plain repeats (forgetting one only costs the general path once). */
const MAX_KNOWN_REPEATS = 100_000;
/**
 * Bound on the repeats batches committed at once, each on its own connection. Two overlap one
 * commit's WAL flush with the next one's work; more split the same alerts into smaller commits,
 * and each commit has a fixed cost to the database that, on a busy database, outweighs the
 * alerts in it (figures in docs/operations.md, alert ingest).
 */
const MAX_REPEATS_IN_FLIGHT = 2;

interface QueuedRequest {
  alerts: IncomingAlert[];
  /** `<source>:<key>` of each alert; the queue is scanned by them whenever a commit ends. */
  keys: string[];
  /** Set when a repeats commit found it is not only repeats: it takes the general path. */
  general?: boolean;
  resolve(outcomes: AlertOutcome[]): void;
  reject(err: unknown): void;
}

const integrationActor = (a: IncomingAlert): Actor => ({ type: 'integration', id: a.integration.id, name: a.integration.name });

/**
 * Turns outside alerts (Alertmanager, PagerDuty Events v2) into incidents, a batch per
 * transaction: a whole webhook commits before it is answered, so an accepted alert is durable.
 *
 * - Dedup and grouping: the route's grouping labels give each group an incident fingerprint;
 *   `INSERT … ON CONFLICT (fingerprint) WHERE status <> 'resolved' DO UPDATE` opens the incident
 *   or adds to the open one in one statement, so identical alerts at the same instant make one
 *   incident (the partial unique index decides, not the code).
 * - Only a newly opened, un-muted incident pages. An alert joining an open incident (triggered,
 *   acknowledged or snoozed) is counted and shown, and pages nobody.
 * - Resolved alerts mark their row resolved; when none is left firing the incident resolves if
 *   its route has autoResolve, otherwise the timeline says so and a person resolves.
 * - Acknowledge and resolve for an alert with no open incident are dropped (PagerDuty's rule).
 *
 * Commits overlap where that is safe: batches of plain repeats (alert-repeats.ts) on distinct
 * incidents run side by side on their own connections, so the server parses the next webhooks
 * while the database commits the last ones; a general batch runs alone, in queue order.
 */
@Injectable()
export class AlertIngestService {
  private readonly queue: QueuedRequest[] = [];
  /** Commits running, and whether one of them is a general batch (which runs alone). */
  private inFlight = 0;
  private generalInFlight = false;
  /** Repeats batches at once: one on the embedded database, which runs one query at a time. */
  private readonly maxRepeatsInFlight: number;
  /** Incidents of the repeats batches in flight, and their sizes in alerts. */
  private readonly busyIncidents = new Set<number>();
  private readonly repeatsInFlight: number[] = [];
  /**
   * Alert keys last seen firing in an open incident that needs no timeline row for another
   * delivery (with that incident), and the mutes in force at the last general commit: a request
   * of only those is committed as repeats (alert-repeats.ts), which checks both in the database.
   */
  private readonly knownRepeats = new Map<string, number>();
  /** Alert key → the content hash a repeats commit of this process stored on its row (see alert-repeats.ts). */
  private readonly storedContent = new Map<string, string>();
  private mutes: MuteSnapshot | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly routes: RoutesService,
    private readonly writer: IncidentWriter,
    private readonly metrics: AppMetrics,
    private readonly audit: AuditService,
    @Inject(INCIDENT_TRANSITIONS) private readonly transitions: IncidentTransitionHandler,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const poolSize = Number((dataSource.options as { extra?: { max?: number } }).extra?.max ?? 10);
    // Half the pool at most: the outbox worker, evaluation and the API need connections too.
    this.maxRepeatsInFlight = Math.max(1, Math.min(MAX_REPEATS_IN_FLIGHT, Math.floor(poolSize / 2)));
  }

  /**
   * Stores a batch of alerts (one webhook or one event) and returns each alert's outcome once
   * committed. Requests that arrive while commits are running are committed together in the
   * next one (group commit): one transaction and a handful of statements for many webhooks.
   */
  ingest(alerts: IncomingAlert[]): Promise<AlertOutcome[]> {
    if (alerts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ alerts, keys: alerts.map(alertKeyOf), resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts the commits the queue allows now; called again whenever one ends. A commit hands back
   * its answers rather than giving them, so that the requests they release (a caller may post
   * again at once) already find the commit off the books.
   */
  private pump(): void {
    while (this.queue.length > 0 && !this.generalInFlight) {
      if (this.repeatHomes(this.queue[0])) {
        if (this.inFlight >= this.maxRepeatsInFlight) return;
        // Each commit has a fixed cost (a round trip, a WAL flush): another one starts only when
        // as many alerts wait as the smallest batch in flight, that is when the database falls behind.
        if (this.inFlight > 0 && this.queue.reduce((n, r) => n + r.alerts.length, 0) < Math.min(...this.repeatsInFlight)) return;
        const { taken, incidents } = takeRepeats(this.queue, (r) => this.repeatHomes(r), this.busyIncidents, MAX_ALERTS_PER_COMMIT);
        if (taken.length === 0) return; // each waits for an incident in flight
        const size = taken.reduce((n, r) => n + r.alerts.length, 0);
        this.inFlight++;
        this.repeatsInFlight.push(size);
        void this.commitRepeats(taken).then((answer) => {
          this.inFlight--;
          this.repeatsInFlight.splice(this.repeatsInFlight.indexOf(size), 1);
          for (const id of incidents) this.busyIncidents.delete(id);
          answer();
          this.pump();
        });
      } else {
        if (this.inFlight > 0) return; // the general path runs alone
        const batch = takeBatch(this.queue, MAX_ALERTS_PER_COMMIT);
        this.inFlight++;
        this.generalInFlight = true;
        void this.commitGeneral(batch).then((answer) => {
          this.inFlight--;
          this.generalInFlight = false;
          answer();
          this.pump();
        });
      }
    }
  }

  /** The open incident of each alert of a request that is only repeats of known firing alerts; null otherwise. */
  private repeatHomes(r: QueuedRequest): number[] | null {
    if (r.general || !this.mutes) return null;
    const homes: number[] = [];
    for (let i = 0; i < r.alerts.length; i++) {
      const home = r.alerts[i].action === 'trigger' ? this.knownRepeats.get(r.keys[i]) : undefined;
      if (home === undefined) return null;
      homes.push(home);
    }
    return homes;
  }

  /**
   * Commits a batch of repeats in one statement. When it is not only repeats after all (or the
   * statement fails), the batch goes back to the head of the queue for the general path.
   */
  private async commitRepeats(batch: QueuedRequest[]): Promise<() => void> {
    const alerts = batch.flatMap((r) => r.alerts);
    const mutes = this.mutes!;
    let result: Awaited<ReturnType<typeof applyRepeats>> | null = null;
    try {
      result = await withSpan('incidents.ingest-repeats', { count: alerts.length }, () =>
        applyRepeats(this.dataSource, alerts, this.clock.now(), mutes, (key) => this.storedContent.get(key)),
      );
    } catch (err) {
      this.logger.debug({ err: (err as Error).message, code: pgCode(err) }, 'repeats commit failed; the general path takes the batch');
    }
    if (!result?.applied) {
      for (const key of result?.stale ?? []) this.knownRepeats.delete(key);
      for (const r of batch) r.general = true;
      this.queue.unshift(...batch);
      return () => undefined;
    }
    const homes = result.homes;
    for (const [key, incidentId] of homes) this.knownRepeats.set(key, incidentId);
    for (const [key, hash] of result.contentHashes) this.storedContent.set(key, hash);
    return () => respond(batch, batch.flatMap((r) => r.alerts.map((a, i) => ({ key: a.key, outcome: 'grouped' as const, incidentId: homes.get(r.keys[i]) ?? null }))));
  }

  /** Commits a batch the general way; if that fails, each request on its own, so one bad request fails alone. */
  private async commitGeneral(batch: QueuedRequest[]): Promise<() => void> {
    try {
      const outcomes = await this.commit(batch.flatMap((r) => r.alerts));
      return () => respond(batch, outcomes);
    } catch (err) {
      if (batch.length === 1) return () => batch[0].reject(err);
      const answers: Array<() => void> = [];
      for (const r of batch) {
        answers.push(await this.commit(r.alerts).then((outcomes) => () => r.resolve(outcomes), (e: unknown) => () => r.reject(e)));
      }
      return () => answers.forEach((answer) => answer());
    }
  }

  private async commit(alerts: IncomingAlert[]): Promise<AlertOutcome[]> {
    return withSpan('incidents.ingest-alerts', { count: alerts.length }, async () => {
      for (let attempt = 1; ; attempt++) {
        const at = this.clock.now();
        try {
          const planned = alerts.map((alert, i) => planAlert(alert, i, this.routes.select(alert)));
          const applied = await this.dataSource.transaction((m) => this.apply(m, planned, at));
          if (applied.notify) this.outbox.wake();
          this.rememberRepeats(alerts, applied.outcomes);
          return applied.outcomes;
        } catch (err) {
          // Another process locked the same incidents in a different order: PostgreSQL aborts one; run it again.
          if (RETRYABLE.has(pgCode(err) ?? '') && attempt < MAX_ATTEMPTS) {
            this.logger.debug({ attempt, code: pgCode(err) }, 'alert batch retried after a lock conflict');
            continue;
          }
          throw err;
        }
      }
    });
  }

  private rememberRepeats(alerts: IncomingAlert[], outcomes: AlertOutcome[]): void {
    if (this.knownRepeats.size > MAX_KNOWN_REPEATS) this.knownRepeats.clear();
    if (this.storedContent.size > MAX_KNOWN_REPEATS) this.storedContent.clear();
    alerts.forEach((a, i) => {
      const key = alertKeyOf(a);
      // The general path cleared the row's content hash (if it wrote the row at all).
      this.storedContent.delete(key);
      const { outcome, incidentId } = outcomes[i];
      if (a.action === 'trigger' && incidentId !== null && (outcome === 'opened' || outcome === 'grouped')) this.knownRepeats.set(key, incidentId);
    });
  }

  private async apply(m: EntityManager, planned: PlannedAlert[], at: Date): Promise<Applied> {
    const outcomes: AlertOutcome[] = planned.map((p) => ({ key: p.alert.key, outcome: 'dropped', incidentId: null }));
    const timeline: TimelineDraft[] = [];
    const audit: AuditDraft[] = [];
    let notify = false;

    // Which open incident already holds each alert: follow-up events go there even if labels changed.
    const homes = new Map<string, { incidentId: number; fingerprint: string }>();
    const keys = [...new Set(planned.map((p) => p.alertKey))];
    const homeRows: Array<{ alert_key: string; incident_id: number; fingerprint: string }> = await m.query(
      `SELECT a.alert_key, a.incident_id, i.fingerprint FROM incident_alerts a JOIN incidents i ON i.id = a.incident_id
       WHERE a.alert_key = ANY($1) AND i.status <> 'resolved' ORDER BY a.incident_id`,
      [keys],
    );
    for (const r of homeRows) homes.set(r.alert_key, { incidentId: Number(r.incident_id), fingerprint: r.fingerprint });

    const triggers = planned.filter((p) => p.alert.action === 'trigger');
    if (triggers.length > 0) {
      for (const t of triggers) {
        const home = homes.get(t.alertKey);
        if (home) t.fingerprint = home.fingerprint;
      }
      const newcomers = triggers.filter((t) => !homes.has(t.alertKey));
      joinWithinGroupWait(newcomers, await this.openRouteIncidents(m, newcomers, at), at);
      this.mutes = await loadMuteSnapshot(m, at);
      applyMutes(triggers, this.mutes.mutes);
      notify = (await this.applyTriggers(m, groupByIncident(triggers), at, outcomes, timeline, audit)) || notify;
    }

    const followUps = planned.filter((p) => p.alert.action !== 'trigger');
    if (followUps.length > 0) {
      notify = (await this.applyFollowUps(m, followUps, homes, at, outcomes, timeline, audit)) || notify;
    }

    await writeTimeline(m, this.outbox, timeline);
    await this.audit.record(m, audit);
    notify ||= timeline.some((t) => t.event.notify !== false);
    return { outcomes, notify };
  }

  /**
   * For groupWait: the open incidents of the newcomers' own groups, and those their routes
   * opened within the longest groupWait among them (joinWithinGroupWait picks by service). Nothing to read when every route's is 0s.
   */
  private async openRouteIncidents(m: EntityManager, newcomers: PlannedAlert[], at: Date): Promise<OpenRouteIncident[]> {
    const waiting = newcomers.filter((t) => t.route.groupWaitSeconds > 0);
    if (waiting.length === 0) return [];
    const longest = Math.max(...waiting.map((t) => t.route.groupWaitSeconds));
    const rows: Array<{ route: string; service: string; fingerprint: string; triggered_at: Date | string }> = await m.query(
      `SELECT route, service, fingerprint, triggered_at FROM incidents
       WHERE status <> 'resolved' AND route IS NOT NULL
         AND (fingerprint = ANY($1) OR (route = ANY($2) AND triggered_at > $3))`,
      [[...new Set(waiting.map((t) => t.fingerprint))], [...new Set(waiting.map((t) => t.route.name))], new Date(at.getTime() - longest * 1000).toISOString()],
    );
    return rows.map((r) => ({ route: r.route, service: r.service, fingerprint: r.fingerprint, triggeredAt: new Date(r.triggered_at) }));
  }

  /** Opens or adds to one incident per group, and records every delivery on its alert row. */
  private async applyTriggers(m: EntityManager, groups: AlertGroup[], at: Date, outcomes: AlertOutcome[], timeline: TimelineDraft[], audit: AuditDraft[]): Promise<boolean> {
    let paged = false;
    const incidentDrafts = new Map(groups.map((g) => [g.fingerprint, draftOf(g)]));
    const byFingerprint = new Map((await this.writer.upsert(m, [...incidentDrafts.values()], at)).map((r) => [r.fingerprint, r]));

    const deliveries: Array<{ incidentId: number; planned: PlannedAlert }> = [];
    const added: AddedDelivery[] = [];
    for (const g of groups) {
      const inc = byFingerprint.get(g.fingerprint);
      if (!inc) throw new Error(`incident upsert returned no row for ${g.fingerprint}`);
      const actor = integrationActor(g.first.alert);
      g.alerts.forEach((p, i) => {
        deliveries.push({ incidentId: inc.id, planned: p });
        outcomes[p.index] = { key: p.alert.key, incidentId: inc.id, outcome: inc.inserted && i === 0 ? (inc.muted ? 'opened-muted' : 'opened') : 'grouped' };
      });
      if (inc.inserted) {
        const { line, paged: pagedNow } = await this.writer.opened(m, inc, incidentDrafts.get(g.fingerprint)!, actor, at, { route: g.first.route.name, alerts: g.alerts.length });
        timeline.push(line);
        audit.push({
          at, actor, action: 'incident.triggered', entityType: 'incident', entityId: inc.id, before: null,
          after: { status: 'triggered', title: g.first.alert.title, service: g.first.service, severity: g.first.severity, source: g.first.alert.source, route: g.first.route.name, muted: inc.muted },
        });
        paged = pagedNow || paged;
        continue;
      }
      added.push({ incident: inc, draft: incidentDrafts.get(g.fingerprint)!, actor });
    }
    const again = await this.writer.added(m, added, at);
    timeline.push(...again.lines);
    paged = again.paged || paged;

    // One row per (incident, alert) with the number of deliveries. The incident locks held above
    // serialize writers of these rows, so update-then-insert is safe; the insert's ON CONFLICT
    // only guards the unexpected.
    const drafts = collapseDeliveries(deliveries);
    const alertRows = drafts.map((d, ord) => ({
      ord,
      incident_id: d.incidentId,
      alert_key: d.last.alertKey,
      source: d.last.alert.source,
      title: d.last.alert.title,
      labels: d.last.alert.labels,
      annotations: d.last.alert.annotations,
      payload: d.last.alert.payload,
      count: d.count,
      muted_by: d.last.muted?.text ?? null,
      generator_url: d.last.alert.generatorUrl,
      starts_at: d.last.alert.startsAt.toISOString(),
    }));
    const columns = `ord int, incident_id int, alert_key text, source text, title text, labels jsonb, annotations jsonb,
                     payload jsonb, count int, muted_by text, generator_url text, starts_at timestamptz`;
    const known = returnedRows<{ incident_id: number; alert_key: string }>(await m.query(
      `UPDATE incident_alerts a SET
         status = 'firing', count = a.count + x.count, title = x.title, labels = x.labels, annotations = x.annotations, payload = x.payload,
         content_hash = NULL, muted_by = x.muted_by, generator_url = x.generator_url, starts_at = x.starts_at, ends_at = NULL, resolved_at = NULL,
         last_received_at = $2
       FROM jsonb_to_recordset($1::jsonb) AS x(${columns})
       WHERE a.incident_id = x.incident_id AND a.alert_key = x.alert_key
       RETURNING a.incident_id, a.alert_key`,
      [JSON.stringify(alertRows), at.toISOString()],
    ));
    const knownSet = new Set(known.map((k) => `${Number(k.incident_id)}\u0000${k.alert_key}`));
    const newRows = alertRows.filter((r) => !knownSet.has(`${r.incident_id}\u0000${r.alert_key}`));
    if (newRows.length > 0) {
      await m.query(
        `INSERT INTO incident_alerts (incident_id, alert_key, source, status, title, labels, annotations, payload, count, muted_by, generator_url,
                                      starts_at, first_received_at, last_received_at)
         SELECT incident_id, alert_key, source, 'firing', title, labels, annotations, payload, count, muted_by, generator_url, starts_at, $2, $2
         FROM jsonb_to_recordset($1::jsonb) AS x(${columns})
         ORDER BY ord
         ON CONFLICT (incident_id, alert_key) DO UPDATE SET count = incident_alerts.count + EXCLUDED.count, status = 'firing',
           last_received_at = EXCLUDED.last_received_at, resolved_at = NULL, ends_at = NULL`,
        [JSON.stringify(newRows), at.toISOString()],
      );
    }
    const opened = new Set([...byFingerprint.values()].filter((r) => r.inserted).map((r) => r.id));
    const newcomers = new Map<number, PlannedAlert[]>();
    for (const d of drafts) {
      if (knownSet.has(`${d.incidentId}\u0000${d.last.alertKey}`) || opened.has(d.incidentId)) continue;
      newcomers.set(d.incidentId, [...(newcomers.get(d.incidentId) ?? []), d.last]);
    }
    for (const [incidentId, list] of newcomers) {
      const names = list.slice(0, 5).map((p) => describeAlert(p)).join('; ');
      const waited = list.find((p) => p.joinedWithinGroupWait);
      const why = waited ? `, opened on route ${waited.route.name} within its groupWait of ${formatDuration(waited.route.groupWaitSeconds)}` : '';
      timeline.push({
        incidentId, at, actor: integrationActor(list[0].alert),
        event: {
          kind: 'incident.alert-grouped',
          message: `${list.length === 1 ? 'Alert' : `${list.length} alerts`} grouped into this incident (no new page${why}): ${names}${list.length > 5 ? ' …' : ''}`,
          data: { alertKeys: list.map((p) => p.alertKey), ...(waited ? { groupWaitSeconds: waited.route.groupWaitSeconds } : {}) },
          notify: false,
        },
      });
    }
    return paged;
  }

  /** PagerDuty acknowledge, and resolve from either source, applied to the open incident holding the alert. */
  private async applyFollowUps(
    m: EntityManager,
    followUps: PlannedAlert[],
    homes: Map<string, { incidentId: number; fingerprint: string }>,
    at: Date,
    outcomes: AlertOutcome[],
    timeline: TimelineDraft[],
    audit: AuditDraft[],
  ): Promise<boolean> {
    const ids = [...new Set(followUps.map((p) => homes.get(p.alertKey)?.incidentId).filter((id): id is number => id !== undefined))].sort((a, b) => a - b);
    if (ids.length === 0) return false;
    const locked = await m
      .createQueryBuilder(Incident, 'i')
      .setLock('pessimistic_write')
      .where('i.id IN (:...ids) AND i.status <> :resolved', { ids, resolved: 'resolved' })
      .orderBy('i.id')
      .getMany();
    const open = new Map(locked.map((i) => [i.id, i]));
    const changed = new Set<number>();
    const before = new Map(locked.map((i) => [i.id, lifecycle.auditView(i)]));

    for (const p of followUps.filter((f) => f.alert.action === 'acknowledge')) {
      const incident = open.get(homes.get(p.alertKey)?.incidentId ?? -1);
      if (!incident) continue;
      outcomes[p.index] = { key: p.alert.key, outcome: 'acknowledged', incidentId: incident.id };
      const actor = integrationActor(p.alert);
      const event = lifecycle.acknowledgeBySource(incident, actor, at);
      if (!event) continue;
      changed.add(incident.id);
      timeline.push({ incidentId: incident.id, at, actor, event });
      audit.push({ at, actor, action: event.kind, entityType: 'incident', entityId: incident.id, before: before.get(incident.id), after: lifecycle.auditView(incident) });
    }

    const resolves = followUps.filter((f) => f.alert.action === 'resolve' && open.has(homes.get(f.alertKey)?.incidentId ?? -1));
    if (resolves.length > 0) {
      const result = await m.query(
        `UPDATE incident_alerts a SET status = 'resolved', resolved_at = $2, last_received_at = $2, ends_at = x.ends_at, payload = x.payload, content_hash = NULL
         FROM jsonb_to_recordset($1::jsonb) AS x(incident_id int, alert_key text, ends_at timestamptz, payload jsonb)
         WHERE a.incident_id = x.incident_id AND a.alert_key = x.alert_key AND a.status = 'firing'
         RETURNING a.incident_id, a.alert_key`,
        [
          JSON.stringify(resolves.map((p) => ({
            incident_id: homes.get(p.alertKey)!.incidentId,
            alert_key: p.alertKey,
            ends_at: (p.alert.endsAt ?? at).toISOString(),
            payload: p.alert.payload,
          }))),
          at.toISOString(),
        ],
      );
      const resolvedRows = returnedRows<{ incident_id: number; alert_key: string }>(result);
      for (const p of resolves) {
        outcomes[p.index] = { key: p.alert.key, outcome: 'resolved', incidentId: homes.get(p.alertKey)!.incidentId };
      }
      const touched = [...new Set(resolvedRows.map((r) => Number(r.incident_id)))].sort((a, b) => a - b);
      if (touched.length > 0) {
        const firing: Array<{ incident_id: number; firing: number }> = await m.query(
          `SELECT incident_id, count(*) FILTER (WHERE status = 'firing')::int AS firing FROM incident_alerts WHERE incident_id = ANY($1) GROUP BY incident_id`,
          [touched],
        );
        const stillFiring = new Map(firing.map((f) => [Number(f.incident_id), Number(f.firing)]));
        for (const id of touched) {
          const incident = open.get(id)!;
          const resolvedHere = resolves.filter((p) => homes.get(p.alertKey)?.incidentId === id);
          const actor = integrationActor(resolvedHere[0].alert);
          const left = stillFiring.get(id) ?? 0;
          if (left > 0) {
            timeline.push({
              incidentId: id, at, actor,
              event: {
                kind: 'incident.alert-resolved',
                message: `Resolved at the source: ${resolvedHere.map(describeAlert).slice(0, 5).join('; ')}; ${left} still firing`,
                data: { alertKeys: resolvedHere.map((p) => p.alertKey), stillFiring: left },
                notify: false,
              },
            });
            continue;
          }
          const event = this.writer.cleared(incident, incident.source, actor, at, {});
          if (!event) continue;
          changed.add(id);
          timeline.push({ incidentId: id, at, actor, event });
          // Inhibition (likely-cause.ts): what it held back and still fires outlived it, and pages now.
          await this.writer.causeEnded(m, id, at);
          if (event.kind === 'incident.resolved') {
            audit.push({ at, actor, action: 'incident.resolved', entityType: 'incident', entityId: id, before: before.get(id), after: lifecycle.auditView(incident) });
          }
        }
      }
    }
    for (const id of changed) {
      const incident = await m.save(open.get(id)!);
      if (incident.status !== before.get(id)?.status) await this.transitions.incidentStatusChanged(m, id);
    }
    return changed.size > 0;
  }
}

/** Answers each request of a batch with its share of the outcomes (they are in the batch's order). */
function respond(batch: QueuedRequest[], outcomes: AlertOutcome[]): void {
  let offset = 0;
  for (const r of batch) {
    r.resolve(outcomes.slice(offset, offset + r.alerts.length));
    offset += r.alerts.length;
  }
}

function describeAlert(p: PlannedAlert): string {
  const extra = Object.entries(p.alert.labels)
    .filter(([k]) => !(k in p.groupLabels) && k !== 'severity')
    .slice(0, 3)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return extra ? `${p.alert.title} (${extra})` : p.alert.title;
}

function evidenceOf(p: PlannedAlert): Record<string, unknown> {
  const a = p.alert;
  return {
    source: a.source,
    summary: a.title,
    description: a.description,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt.toISOString(),
    generatorUrl: a.generatorUrl,
    runbookUrl: a.runbookUrl,
    payload: a.payload,
  };
}

/** The incident an alert group opens, or adds its alerts to. */
function draftOf(g: AlertGroup): IncidentDraft {
  const a = g.first.alert;
  return {
    fingerprint: g.fingerprint,
    title: a.title,
    service: g.first.service,
    source: a.source,
    severity: g.first.severity,
    // Outside alerts page; their own severity words (ticket, warning…) map to a severity, not an urgency.
    urgency: 'page',
    sloId: null,
    runbookId: g.first.route.runbookId,
    runbookUrl: a.runbookUrl,
    description: a.description,
    evidence: evidenceOf(g.first),
    labels: g.first.groupLabels,
    alertCount: g.alerts.length,
    route: g.first.route.name,
    autoResolve: g.first.route.autoResolve,
    mutedBy: g.anyUnmuted ? null : (g.first.muted ?? null),
    keepsLatestEvidence: false,
    // Inhibit rules match the alert's own labels, not only those that grouped it (likely-cause.ts).
    matchLabels: g.first.labels,
  };
}
