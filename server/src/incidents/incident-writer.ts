import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LOGGER, type Logger } from '../common/logger';
import { AppMetrics } from '../common/metrics';
import { returnedRows } from '../common/returned-rows';
import type { Urgency } from '../common/signals';
import { OutboxService } from '../outbox/outbox.service';
import { dependenciesOf, mayBeHeld } from '../rules/inhibit-rule';
import type { Labels } from '../rules/label-matcher';
import { openingNotice, type OpeningNotice } from '../rules/route-definition';
import { RoutesService } from '../rules/routes.service';
import { SYSTEM_ACTOR, type Actor } from './actor';
import { writeTimeline, type TimelineDraft } from './incident-records';
import { burnsFarWorse, causeOrder, likelyCause, pageBurn, reasonText, type CauseCandidate, type LikelyCause } from './likely-cause';
import { INCIDENT_TRANSITIONS, type IncidentTransitionHandler } from './incident-transitions';
import { Incident, type IncidentSource } from './incident.entity';
import * as lifecycle from './incident-lifecycle';
import type { MuteReason } from './mute';

/** An incident to open, or to add to when one is open for its fingerprint. */
export interface IncidentDraft {
  fingerprint: string;
  title: string;
  service: string;
  source: IncidentSource;
  severity: string;
  /** Page or ticket (see Urgency); an open incident keeps the urgency it opened with. */
  urgency: Urgency;
  sloId: string | null;
  runbookId: string | null;
  runbookUrl: string | null;
  description: string | null;
  evidence: Record<string, unknown>;
  labels: Record<string, string>;
  /** Alerts this delivery adds (0 for an SLO or guardrail signal). */
  alertCount: number;
  route: string | null;
  autoResolve: boolean;
  /** What mutes it, when something does: opened muted, nobody paged. */
  mutedBy: MuteReason | null;
  /** An SLO or guardrail signal's evidence replaces the incident's on every pass; an alert's does not. */
  keepsLatestEvidence: boolean;
  /**
   * The labels inhibit rules match it by: the opening alert's own (labels that did not group it
   * included). Default `labels` with its service and severity, which for a signal is all it has.
   */
  matchLabels?: Record<string, string>;
}

/** A delivery `upsert` added to an incident that was already open. */
export interface AddedDelivery {
  incident: WrittenIncident;
  draft: IncidentDraft;
  actor: Actor;
}

/** The incident a draft landed in. */
export interface WrittenIncident {
  id: number;
  fingerprint: string;
  /** Opened by this statement (not an open incident added to). */
  inserted: boolean;
  status: string;
  muted: boolean;
  urgency: Urgency;
  signalResolvedAt: Date | null;
  /** The incident holding it back (likely-cause.ts), while it does; null otherwise. */
  heldBy: number | null;
}

/** Topic of the outbox message that posts a ticket to its route's ticket channel (the ticket's "page"). */
export const TICKET_TOPIC = 'incident.ticketed';

/**
 * The one writer that opens, refires and clears incidents, for every source: SLO and guardrail
 * signals, platform breaches, Alertmanager and PagerDuty alerts, people. `upsert` is the one
 * statement that opens an incident unless one is open for the fingerprint (the partial unique
 * index settles races between processes); `opened` words the triggered line, counts and logs it;
 * `added` unmutes and refires incidents a delivery was added to; `cleared` words what a source's
 * all-clear does; `page` is the one place that queues a page and starts the escalation, and
 * `notifyOpened` the one place that decides between it and a ticket's post. Mutes are decided by the caller with mute.ts
 * (one matcher for silences and maintenance windows) and arrive as `mutedBy`.
 *
 * Repeats of alerts already stored do not come here: `intake/alert-repeats.ts` adds them in one
 * prepared statement that sends only a content hash. It stays: without it, the ingest benchmark
 * falls well under its floor (docs/operations.md, alert ingest); the general path below is what
 * it falls back to.
 */
@Injectable()
export class IncidentWriter {
  constructor(
    private readonly outbox: OutboxService,
    @Inject(INCIDENT_TRANSITIONS) private readonly transitions: IncidentTransitionHandler,
    private readonly metrics: AppMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: RoutesService,
  ) {}

  /**
   * Adds each draft to the open incident of its fingerprint, or opens one, in the caller's
   * transaction. Open incidents are locked in fingerprint order first (a stable order keeps
   * concurrent batches from deadlocking) and counted without spending a sequence value; the rest
   * are inserted, and two processes inserting the same fingerprint meet at the unique index: one
   * inserts, the other adds to it. Answers in no particular order.
   */
  async upsert(m: EntityManager, drafts: IncidentDraft[], at: Date): Promise<WrittenIncident[]> {
    if (drafts.length === 0) return [];
    const updated = returnedRows<WrittenRow>(await m.query(
      `UPDATE incidents i SET alert_count = i.alert_count + x.alert_count, last_alert_at = $2, version = i.version + 1
       FROM (SELECT id FROM incidents WHERE fingerprint = ANY($3) AND status <> 'resolved' ORDER BY fingerprint FOR UPDATE) l,
            jsonb_to_recordset($1::jsonb) AS x(fingerprint text, alert_count int)
       WHERE i.id = l.id AND i.fingerprint = x.fingerprint
       RETURNING i.id, i.fingerprint, false AS inserted, i.status, i.muted, i.urgency, i.signal_resolved_at,
                 CASE WHEN i.held_by_cause THEN i.caused_by_incident_id END AS held_by`,
      [JSON.stringify(drafts.map((d) => ({ fingerprint: d.fingerprint, alert_count: d.alertCount }))), at.toISOString(), drafts.map((d) => d.fingerprint)],
    ));
    const open = new Set(updated.map((r) => r.fingerprint));
    const fresh = drafts.filter((d) => !open.has(d.fingerprint)).map((d, ord) => ({
      ord,
      title: d.title,
      service: d.service,
      source: d.source,
      severity: d.severity,
      urgency: d.urgency,
      fingerprint: d.fingerprint,
      slo_id: d.sloId,
      runbook_id: d.runbookId,
      runbook_url: d.runbookUrl,
      description: d.description,
      evidence: d.evidence,
      labels: d.labels,
      alert_count: d.alertCount,
      route: d.route,
      auto_resolve: d.autoResolve,
      muted: d.mutedBy !== null,
      muted_reason: d.mutedBy?.text ?? null,
    }));
    const inserted: WrittenRow[] = fresh.length === 0 ? [] : await m.query(
      `INSERT INTO incidents (title, service, source, severity, urgency, status, fingerprint, slo_id, runbook_id, runbook_url, description, evidence, labels,
                              triggered_at, alert_count, last_alert_at, route, auto_resolve, muted, muted_reason, version)
       SELECT title, service, source, severity, urgency, 'triggered', fingerprint, slo_id, runbook_id, runbook_url, description, evidence, labels,
              $2, alert_count, $2, route, auto_resolve, muted, muted_reason, 1
       FROM jsonb_to_recordset($1::jsonb) AS x(ord int, title text, service text, source text, severity text, urgency text, fingerprint text, slo_id text, runbook_id text,
            runbook_url text, description text, evidence jsonb, labels jsonb, alert_count int, route text, auto_resolve boolean, muted boolean, muted_reason text)
       ORDER BY ord
       ON CONFLICT (fingerprint) WHERE status <> 'resolved'
       DO UPDATE SET alert_count = incidents.alert_count + EXCLUDED.alert_count, last_alert_at = EXCLUDED.last_alert_at, version = incidents.version + 1
       RETURNING id, fingerprint, (xmax = 0) AS inserted, status, muted, urgency, signal_resolved_at,
                 CASE WHEN held_by_cause THEN caused_by_incident_id END AS held_by`,
      [JSON.stringify(fresh), at.toISOString()],
    );
    return [...updated, ...inserted].map((r) => ({
      id: Number(r.id),
      fingerprint: r.fingerprint,
      inserted: Boolean(r.inserted),
      status: r.status,
      muted: Boolean(r.muted),
      urgency: r.urgency,
      signalResolvedAt: r.signal_resolved_at ? new Date(r.signal_resolved_at) : null,
      heldBy: r.held_by === null || r.held_by === undefined ? null : Number(r.held_by),
    }));
  }

  /** The order to handle one pass's signals in, so a dependency's incident opens before its dependents' (likely-cause.ts). */
  signalOrder<T extends { status: 'firing' | 'resolved'; service: string }>(signals: readonly T[]): T[] {
    return causeOrder(signals, this.routes.inhibition());
  }

  /**
   * Pages an incident (opened, opened by a person, or unmuted while triggered): the one page per
   * incident (its outbox key makes a second impossible) and, in the same transaction, the
   * escalation's start, so the policy is snapshotted exactly when the incident is paged.
   */
  async page(m: EntityManager, incidentId: number): Promise<void> {
    await this.outbox.enqueue(m, { key: `incident:${incidentId}:page`, topic: 'incident.triggered', incidentId });
    await this.transitions.incidentPaged(m, incidentId);
  }

  /**
   * Notifies for an incident that opened, or was unmuted while triggered, as its urgency and
   * route say (openingNotice): a page through `page` (and so the escalation); a ticket posted once
   * to the route's ticket channel, keyed by the incident so a repeat never posts twice, and never
   * through INCIDENT_TRANSITIONS.incidentPaged, so a ticket starts no escalation; a ticket on a
   * route without a ticket channel, nothing (it shows in the console).
   */
  async notifyOpened(m: EntityManager, incidentId: number, draft: Pick<IncidentDraft, 'urgency' | 'route' | 'labels' | 'service' | 'severity' | 'source'>): Promise<OpeningNotice> {
    // A page needs no route here (the escalation engine and the notifier find it): alert ingest opens many.
    const notice = draft.urgency === 'page' ? ({ kind: 'page' } as const) : openingNotice(draft.urgency, this.routes.forIncident(draft));
    if (notice.kind === 'page') await this.page(m, incidentId);
    else if (notice.kind === 'ticket') await this.outbox.enqueue(m, { key: `incident:${incidentId}:ticket`, topic: TICKET_TOPIC, incidentId, payload: { channel: notice.channel } });
    return notice;
  }

  /**
   * An incident `upsert` has just opened: its triggered line (returned, for the caller to write
   * with the rest of its timeline), the page and the escalation's start unless it opened muted,
   * the count and the log line. Returns whether it paged.
   */
  async opened(m: EntityManager, incident: WrittenIncident, draft: IncidentDraft, actor: Actor, at: Date, data: Record<string, unknown>): Promise<{ line: TimelineDraft; paged: boolean }> {
    const by = actor.type === 'system' ? '' : ` by ${actor.name}`;
    const muted = incident.muted ? draft.mutedBy : null;
    const linked = await this.link(m, incident, draft, actor, at);
    const held = linked?.holds === true;
    const notice = incident.muted || held ? null : await this.notifyOpened(m, incident.id, draft);
    const line: TimelineDraft = {
      incidentId: incident.id,
      at,
      actor,
      event: {
        kind: 'incident.triggered',
        message: `Triggered${by}: ${draft.title}${incident.muted ? ` (muted by ${muted?.text}; nobody paged)` : linked ? causeNote(draft, linked) : ticketNote(notice)}`,
        data: {
          ...data,
          ...(muted ? { mutedBy: muted } : {}),
          ...(draft.urgency === 'ticket' ? { urgency: 'ticket' } : {}),
          ...(linked ? { causedBy: linked.cause.id, heldByCause: held, reason: reasonText(draft, linked) } : {}),
        },
        notify: false,
      },
    };
    this.metrics.incidentsOpened.inc({ source: draft.source, severity: draft.severity });
    const log = { incidentId: incident.id, fingerprint: draft.fingerprint, service: draft.service, urgency: draft.urgency, muted: incident.muted ? muted?.text : undefined };
    if (draft.urgency === 'ticket') this.logger.info(log, `ticket ${incident.id} opened: ${draft.title}`);
    else this.logger.warn(log, `incident ${incident.id} opened: ${draft.title}`);
    // "paged" tells the caller something was queued for the outbox worker (a page, a ticket's post, or the cause's thread line).
    return { line, paged: linked !== null || (notice !== null && notice.kind !== 'console-ticket') };
  }

  /**
   * Links an incident that has just opened to its likely cause (likely-cause.ts), if one is open
   * and firing: the link on the incident, held back unless it burns far worse, and a line on the
   * cause's timeline that reaches its Slack thread. Returns what it found.
   */
  private async link(m: EntityManager, incident: WrittenIncident, draft: IncidentDraft, actor: Actor, at: Date): Promise<LikelyCause | null> {
    const inhibition = this.routes.inhibition();
    // Nothing could hold it back: no query (alert ingest opens many incidents).
    if (!mayBeHeld(inhibition, draft.service)) return null;
    const candidates = await this.causeCandidates(m, incident.id, inhibition.rules.length > 0 ? null : [...dependenciesOf(inhibition, draft.service)]);
    const labels: Labels = draft.matchLabels ?? { service: draft.service, severity: draft.severity, ...draft.labels };
    const found = likelyCause(
      { id: incident.id, service: draft.service, urgency: draft.urgency, labels, at, burn: draft.source === 'slo' ? pageBurn(draft.evidence) : null },
      candidates,
      inhibition,
    );
    if (!found) return null;
    await m.query(`UPDATE incidents SET caused_by_incident_id = $2, held_by_cause = $3 WHERE id = $1`, [incident.id, found.cause.id, found.holds]);
    const outcome = incident.muted ? 'opened muted' : found.holds ? 'not paged while this one fires' : 'paged on its own: it burns far worse than this one';
    await writeTimeline(m, this.outbox, [{
      incidentId: found.cause.id,
      at,
      actor,
      event: {
        kind: 'incident.effect-linked',
        message: `#${incident.id} (${draft.title}) is likely caused by this incident (${reasonText(draft, found)}); ${outcome}`,
        data: { effect: incident.id, held: found.holds, reason: reasonText(draft, found) },
      },
    }]);
    this.logger.info({ incidentId: incident.id, causedBy: found.cause.id, held: found.holds }, `incident ${incident.id} linked to its likely cause ${found.cause.id}`);
    return found;
  }

  /**
   * Open incidents whose condition still fires, that may have caused another (`services`: only
   * theirs; null: any, for inhibit rules). Each fires with the labels of its firing alerts, or,
   * for a signal's incident or alerts not stored yet, its own labels.
   */
  private async causeCandidates(m: EntityManager, selfId: number, services: string[] | null): Promise<CauseCandidate[]> {
    const rows: CandidateRow[] = await m.query(
      `SELECT i.id, i.title, i.service, i.severity, i.urgency, i.triggered_at, i.labels, i.caused_by_incident_id,
              CASE WHEN i.source = 'slo' THEN i.evidence -> 'windowPairs' END AS window_pairs,
              CASE WHEN i.source IN ('alertmanager', 'pagerduty') THEN i.evidence -> 'labels' END AS first_alert_labels,
              (SELECT jsonb_agg(a.labels) FROM incident_alerts a WHERE a.incident_id = i.id AND a.status = 'firing') AS alert_labels
       FROM incidents i
       WHERE i.status <> 'resolved' AND i.signal_resolved_at IS NULL AND i.id <> $1 AND ($2::text[] IS NULL OR i.service = ANY($2::text[]))
       ORDER BY i.id LIMIT ${MAX_CAUSE_CANDIDATES}`,
      [selfId, services],
    );
    return rows.map((r) => {
      const own = { service: r.service, severity: r.severity };
      const alerts = Array.isArray(r.alert_labels) ? r.alert_labels : [];
      const firstAlert = r.first_alert_labels && typeof r.first_alert_labels === 'object' ? r.first_alert_labels : {};
      return {
        id: Number(r.id),
        title: r.title,
        service: r.service,
        urgency: r.urgency,
        triggeredAt: new Date(r.triggered_at),
        labelSets: alerts.length > 0 ? alerts.map((l) => ({ ...own, ...l })) : [{ ...own, ...r.labels, ...firstAlert }],
        burn: pageBurn({ windowPairs: r.window_pairs }),
        causedBy: r.caused_by_incident_id === null ? null : Number(r.caused_by_incident_id),
      };
    });
  }

  /**
   * An incident stopped firing or resolved: each incident it holds back that is still open is
   * let go, and pages now (through `page`, so the escalation starts) if it still fires, is
   * triggered and is not muted, since it outlived its cause. Writes the lines; returns whether
   * anything was queued for the outbox worker.
   */
  async causeEnded(m: EntityManager, causeId: number, at: Date): Promise<boolean> {
    const held: Array<{ id: number }> = await m.query(
      `SELECT id FROM incidents WHERE caused_by_incident_id = $1 AND held_by_cause AND status <> 'resolved' ORDER BY id FOR UPDATE`,
      [causeId],
    );
    let paged = false;
    for (const { id } of held) paged = (await this.release(m, Number(id), at, `#${causeId}, its likely cause, ended while this one still fires`)) || paged;
    return paged;
  }

  /** Lets a held incident go: pages it if it is triggered, unmuted and still firing; writes its line. Returns whether it paged. */
  private async release(m: EntityManager, incidentId: number, at: Date, why: string): Promise<boolean> {
    const [row] = returnedRows<ReleasedRow>(await m.query(
      `UPDATE incidents SET held_by_cause = false WHERE id = $1 AND held_by_cause
       RETURNING status, muted, urgency, route, labels, service, severity, source, signal_resolved_at, caused_by_incident_id`,
      [incidentId],
    ));
    if (!row) return false;
    const stillFiring = row.signal_resolved_at === null;
    const pages = row.status === 'triggered' && !row.muted && stillFiring;
    const notice = pages ? await this.notifyOpened(m, incidentId, row) : null;
    const not = row.muted ? 'it is muted' : !stillFiring ? 'its own condition has cleared too' : `it is ${row.status}`;
    await writeTimeline(m, this.outbox, [{
      incidentId,
      at,
      actor: SYSTEM_ACTOR,
      event: {
        kind: 'incident.cause-released',
        message: pages ? `Paging on its own: ${why}` : `No longer held back: ${why}; not paged (${not})`,
        data: { causedBy: row.caused_by_incident_id === null ? null : Number(row.caused_by_incident_id), paged: pages },
        notify: false,
      },
    }]);
    return notice !== null && notice.kind !== 'console-ticket';
  }

  /**
   * Deliveries `upsert` added to open incidents: an incident opened muted is unmuted (and paged,
   * if still triggered) once a delivery arrives that nothing mutes; one whose condition had
   * cleared fires again; a signal's evidence replaces the incident's. A few statements for the
   * whole batch; returns the timeline lines for the caller to write, and whether it paged.
   */
  async added(m: EntityManager, deliveries: AddedDelivery[], at: Date): Promise<{ lines: TimelineDraft[]; paged: boolean }> {
    const lines: TimelineDraft[] = [];
    const unmuted: number[] = [];
    const refired: number[] = [];
    let paged = false;
    for (const { incident, draft, actor } of deliveries) {
      if (incident.muted && draft.mutedBy === null) {
        unmuted.push(incident.id);
        // Held back by its cause, it stays quiet until the cause ends (causeEnded).
        const held = incident.heldBy !== null;
        const event = lifecycle.unmute(Object.assign(new Incident(), { muted: true, status: incident.status }));
        const heldMessage = `An alert arrived that no silence or maintenance window covers; not paged while #${incident.heldBy}, its likely cause, fires`;
        if (event) lines.push({ incidentId: incident.id, at, actor, event: held ? { ...event, message: heldMessage } : event });
        if (incident.status === 'triggered' && !held) {
          // The incident's own urgency, not the delivery's: a ticket stays a ticket.
          const notice = await this.notifyOpened(m, incident.id, { ...draft, urgency: incident.urgency });
          paged = paged || notice.kind !== 'console-ticket';
        }
      }
      if (incident.heldBy !== null && draft.source === 'slo') paged = (await this.burnCheck(m, incident, draft, at)) || paged;
      const message = draft.keepsLatestEvidence ? undefined : `An alert fired again: ${draft.title}`;
      const event = lifecycle.recordSignalRefired(Object.assign(new Incident(), { signalResolvedAt: incident.signalResolvedAt }), draft.evidence, message);
      if (event) {
        refired.push(incident.id);
        lines.push({ incidentId: incident.id, at, actor, event: draft.keepsLatestEvidence ? event : { kind: event.kind, message: event.message } });
      }
    }
    if (unmuted.length) await m.query(`UPDATE incidents SET muted = false, muted_reason = NULL WHERE id = ANY($1)`, [unmuted]);
    if (refired.length) await m.query(`UPDATE incidents SET signal_resolved_at = NULL WHERE id = ANY($1)`, [refired]);
    const evidence = deliveries.filter((d) => d.draft.keepsLatestEvidence).map((d) => ({ id: d.incident.id, evidence: d.draft.evidence }));
    if (evidence.length) {
      await m.query(`UPDATE incidents i SET evidence = x.evidence FROM jsonb_to_recordset($1::jsonb) AS x(id int, evidence jsonb) WHERE i.id = x.id`, [JSON.stringify(evidence)]);
    }
    return { lines, paged };
  }

  /**
   * A held SLO incident's new pass: let go (and paged) when its page-window burn rate has reached
   * the ratio to its cause's, or when its cause no longer fires (a path that missed causeEnded).
   */
  private async burnCheck(m: EntityManager, incident: WrittenIncident, draft: IncidentDraft, at: Date): Promise<boolean> {
    const [cause] = await m.query(
      `SELECT status, signal_resolved_at, CASE WHEN source = 'slo' THEN evidence -> 'windowPairs' END AS window_pairs FROM incidents WHERE id = $1`,
      [incident.heldBy],
    );
    const burn = pageBurn(draft.evidence);
    const causeBurn = cause ? pageBurn({ windowPairs: cause.window_pairs }) : null;
    if (!cause || cause.status === 'resolved' || cause.signal_resolved_at !== null) {
      return this.release(m, incident.id, at, `#${incident.heldBy}, its likely cause, ended while this one still fires`);
    }
    const ratio = this.routes.inhibition().pageAtBurnRatio;
    if (!burnsFarWorse(burn, causeBurn, ratio)) return false;
    return this.release(m, incident.id, at, `its burn rate (${burn!.toFixed(1)}x) is at least ${ratio} times that of #${incident.heldBy} (${causeBurn!.toFixed(1)}x), more than #${incident.heldBy} explains`);
  }

  /**
   * The source says the condition cleared (a signal resolved; every alert of the incident
   * resolved at the source): resolved when the route auto-resolves, otherwise recorded while the
   * incident stays open for a person; `ends` (the alert rule itself is gone) resolves it either way.
   * `message` is the signal's resolvedMessage. Changes the locked entity; the caller saves it, writes the
   * returned line and, when its status changed, tells INCIDENT_TRANSITIONS.
   */
  cleared(incident: Incident, source: IncidentSource, actor: Actor, at: Date, evidence: Record<string, unknown>, message?: string, ends = false): lifecycle.LifecycleEvent | null {
    if (incident.autoResolve || ends) return lifecycle.resolveBySource(incident, actor, at, message);
    // The signal's own wording (a slow burn that ended, data that came back, a beat) when it has one.
    if (message) return lifecycle.recordSignalResolved(incident, at, evidence, message);
    if (source === 'guardrail') return lifecycle.recordSignalResolved(incident, at, evidence, 'The guardrail breach cleared: the harm test no longer shows harm beyond the margin');
    if (source === 'slo') return lifecycle.recordSignalResolved(incident, at, evidence);
    return lifecycle.recordSignalResolved(incident, at, evidence, `Every alert resolved at the source (${actor.name}); the incident stays open until a person resolves it (route ${incident.route ?? 'default'} does not auto-resolve)`);
  }
}

/** The row type `upsert`'s statements return. */
interface WrittenRow {
  id: number;
  fingerprint: string;
  inserted: boolean;
  status: string;
  muted: boolean;
  urgency: Urgency;
  signal_resolved_at: string | null;
  held_by: number | null;
}

/** Open incidents looked at as possible causes, at most: the oldest first (the root of the trouble). */
const MAX_CAUSE_CANDIDATES = 500;

interface CandidateRow {
  id: number;
  title: string;
  service: string;
  severity: string;
  urgency: Urgency;
  triggered_at: string | Date;
  labels: Record<string, string>;
  caused_by_incident_id: number | null;
  window_pairs: unknown;
  first_alert_labels: Record<string, string> | null;
  alert_labels: Array<Record<string, string>> | null;
}

interface ReleasedRow {
  status: string;
  muted: boolean;
  urgency: Urgency;
  route: string | null;
  labels: Record<string, string>;
  service: string;
  severity: string;
  source: IncidentSource;
  signal_resolved_at: string | null;
  caused_by_incident_id: number | null;
}

/** What the triggered line says of a likely cause: why it is linked, and whether it paged. */
function causeNote(draft: Pick<IncidentDraft, 'service'>, linked: LikelyCause): string {
  const why = `likely caused by #${linked.cause.id} (${linked.cause.title}): ${reasonText(draft, linked)}`;
  if (linked.holds) return ` (${why}; not paged while #${linked.cause.id} fires: it pages if it outlives #${linked.cause.id} or burns far worse)`;
  return ` (${why}; paged anyway: its burn rate is far worse than #${linked.cause.id}'s)`;
}

/** What the triggered line adds for a ticket: where it is posted, or that it shows in the console only. */
function ticketNote(notice: OpeningNotice | null): string {
  if (notice?.kind === 'ticket') return ` (a ticket: posting to ${notice.channel}; nobody paged)`;
  if (notice?.kind === 'console-ticket') return ' (a ticket: its route names no ticketChannel, so it shows in the console only; nobody paged)';
  return '';
}
