import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { IncidentStatus } from './incident.entity';

/** What a route, an escalation policy or a rollback hook needs to know of an incident. */
export interface IncidentFacts {
  id: number;
  title: string;
  service: string;
  severity: string;
  urgency: 'page' | 'ticket';
  source: string;
  route: string | null;
  labels: Record<string, string>;
  status: IncidentStatus;
  acknowledged_at: string | Date | null;
}

/** An incident's status, as the escalation engine watches it. */
export interface IncidentStatusRow {
  id: number;
  status: IncidentStatus;
  acknowledged_at: string | Date | null;
}

const FACTS = `id, title, service, severity, urgency, source, route, labels, status, acknowledged_at`;

/**
 * The incidents module's tables (`incidents`, `incident_alerts`, `incident_timeline`) as other
 * modules see them: they read and lock incidents only through these methods (a check in
 * `npm run lint` keeps their SQL out). Methods that take an EntityManager run in the caller's
 * transaction, so a lock taken here holds until the caller commits.
 */
@Injectable()
export class IncidentStore {
  constructor(private readonly dataSource: DataSource) {}

  async facts(incidentId: number, m: EntityManager = this.dataSource.manager): Promise<IncidentFacts | null> {
    const [row] = await m.query(`SELECT ${FACTS} FROM incidents WHERE id = $1`, [incidentId]);
    return row ?? null;
  }

  /** The newest open incident of an alert rule, or null. */
  async latestOpen(m: EntityManager, fingerprint: string): Promise<IncidentFacts | null> {
    const [row] = await m.query(`SELECT ${FACTS} FROM incidents WHERE fingerprint = $1 AND status <> 'resolved' ORDER BY id DESC LIMIT 1`, [fingerprint]);
    return row ?? null;
  }

  /** The ids of the open incidents of an alert rule. */
  async openIds(fingerprint: string): Promise<number[]> {
    const rows: Array<{ id: number }> = await this.dataSource.query(`SELECT id FROM incidents WHERE fingerprint = $1 AND status <> 'resolved'`, [fingerprint]);
    return rows.map((r) => Number(r.id));
  }

  /** The newest incident (open or not) of each alert rule that has one. */
  async latestIds(fingerprints: string[]): Promise<Map<string, number>> {
    if (fingerprints.length === 0) return new Map();
    const rows: Array<{ fingerprint: string; id: number }> = await this.dataSource.query(
      `SELECT DISTINCT ON (fingerprint) fingerprint, id FROM incidents WHERE fingerprint = ANY($1::text[]) ORDER BY fingerprint, id DESC`,
      [[...new Set(fingerprints)]],
    );
    return new Map(rows.map((r) => [r.fingerprint, Number(r.id)]));
  }

  /** Statuses of these incidents (missing ids are left out). */
  async statuses(incidentIds: number[], m: EntityManager = this.dataSource.manager): Promise<IncidentStatusRow[]> {
    if (incidentIds.length === 0) return [];
    return m.query(`SELECT id, status, acknowledged_at FROM incidents WHERE id = ANY($1::int[])`, [incidentIds]);
  }

  /**
   * Locks these incidents for the caller's transaction and returns their statuses, so a status
   * cannot change while the caller acts on it. `skipLocked` leaves out rows another transaction
   * holds (a worker takes the rest and comes back); otherwise it waits for them.
   */
  async lockStatuses(m: EntityManager, incidentIds: number[], opts: { skipLocked: boolean }): Promise<IncidentStatusRow[]> {
    if (incidentIds.length === 0) return [];
    return m.query(
      `SELECT id, status, acknowledged_at FROM incidents WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE${opts.skipLocked ? ' SKIP LOCKED' : ''}`,
      [incidentIds],
    );
  }
}
