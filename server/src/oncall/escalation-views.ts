import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UserStore } from '../auth/user-store';

/** An incident's escalation as its page shows it. */
export interface EscalationView {
  /** A step is still to come (the page's Escalate button). */
  running: boolean;
  /** Who the last step paged, by name (the email of someone who is not a user), in paging order. */
  paged: string[];
}

/** Reads the escalations table for others (the Slack page); the engine writes it. */
@Injectable()
export class EscalationViews {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserStore,
  ) {}

  async ofIncident(incidentId: number): Promise<EscalationView> {
    const [row] = await this.dataSource.query(
      `SELECT next_at IS NOT NULL AND last_status = 'triggered' AS running, notified_users FROM escalations WHERE incident_id = $1`,
      [incidentId],
    );
    if (!row) return { running: false, paged: [] };
    const notified = row.notified_users as string[];
    const names = await this.users.namesByEmail(notified);
    return { running: Boolean(row.running), paged: notified.map((email) => names.get(email.toLowerCase()) ?? email) };
  }
}
