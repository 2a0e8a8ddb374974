import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from './api-token.entity';

/** What other modules read of a user: who they are and how Slack reaches them. */
export interface UserContact {
  id: string;
  email: string;
  name: string;
  slackUserId: string | null;
}

/**
 * The users table as other modules read it (schedules, escalations, calendar feeds): they ask
 * here instead of querying it. Changes go through UsersService, which audits them.
 */
@Injectable()
export class UserStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Every user who is not disabled; `m` to read in a caller's transaction. */
  async active(m: EntityManager = this.dataSource.manager): Promise<UserContact[]> {
    const rows: Array<{ id: string; email: string; name: string; slack_user_id: string | null }> = await m.query(
      `SELECT id, email, name, slack_user_id FROM users WHERE disabled_at IS NULL`,
    );
    return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, slackUserId: r.slack_user_id }));
  }

  /** A user by id, disabled or not (`active` tells); null when there is none. */
  async byId(id: string): Promise<{ id: string; email: string; name: string; active: boolean } | null> {
    const [row] = await this.dataSource.query(`SELECT id, email, name, disabled_at IS NULL AS active FROM users WHERE id = $1`, [id]);
    return row ? { id: row.id, email: row.email, name: row.name, active: Boolean(row.active) } : null;
  }

  /** A user by email (any case) with their role, disabled or not (`active` tells); null when there is none. */
  async byEmail(email: string): Promise<{ id: string; email: string; name: string; role: Role; active: boolean } | null> {
    const [row] = await this.dataSource.query(`SELECT id, email, name, role, disabled_at IS NULL AS active FROM users WHERE email = lower($1)`, [email.trim()]);
    return row ? { id: row.id, email: row.email, name: row.name, role: row.role, active: Boolean(row.active) } : null;
  }

  /** Names of the users with these emails (any case, disabled users too), by lower-cased email. */
  async namesByEmail(emails: readonly string[]): Promise<Map<string, string>> {
    if (emails.length === 0) return new Map();
    const rows: Array<{ email: string; name: string }> = await this.dataSource.query(
      `SELECT lower(email) AS email, name FROM users WHERE lower(email) = ANY($1::text[])`,
      [emails.map((e) => e.toLowerCase())],
    );
    return new Map(rows.map((r) => [r.email, r.name]));
  }
}
