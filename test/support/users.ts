import { randomUUID } from 'node:crypto';
import type { Role } from '../../server/src/auth/api-token.entity';
import type { TestDatabase } from './database';

/** Inserts an active user (a responder unless told) straight into the users table; returns its id. */
export async function addUser(db: TestDatabase, email: string, name: string, slackUserId: string | null = null, role: Role = 'responder'): Promise<string> {
  const id = randomUUID();
  await db.dataSource.query(`INSERT INTO users (id, email, name, role, slack_user_id) VALUES ($1, $2, $3, $4, $5)`, [id, email, name, role, slackUserId]);
  return id;
}
