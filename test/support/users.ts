import { randomUUID } from 'node:crypto';
import type { TestDatabase } from './database';

/** Inserts an active responder straight into the users table; returns its id. */
export async function addUser(db: TestDatabase, email: string, name: string, slackUserId: string | null = null): Promise<string> {
  const id = randomUUID();
  await db.dataSource.query(`INSERT INTO users (id, email, name, role, slack_user_id) VALUES ($1, $2, $3, 'responder', $4)`, [id, email, name, slackUserId]);
  return id;
}
