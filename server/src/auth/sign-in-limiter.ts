import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { returnedRows } from '../common/returned-rows';

/** The longest a key waits between two sign-in attempts, however many it failed. */
export const MAX_SIGN_IN_DELAY_MS = 15 * 60_000;

/**
 * How long a key must wait before its next attempt after `failures` failures in a row: nothing
 * for the first `free` ones, then 1 s, 2 s, 4 s … doubling up to MAX_SIGN_IN_DELAY_MS. A delay,
 * not a lock: the right password still works once it has passed, and guessing slows down
 * exponentially.
 */
export function signInDelayMs(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(MAX_SIGN_IN_DELAY_MS, 1000 * 2 ** Math.min(30, failures - free));
}

/** A key's failures are forgotten a day after its last one. */
const FORGET_AFTER = '1 day';

/**
 * Failed sign-ins per key, in the database (table sign_in_failures, auth's own): every process
 * sees the same counts, and a restart forgets nothing. Keys are (email, client) — so a guesser
 * elsewhere cannot hold the owner back — and the client alone, with a larger allowance, so one
 * client cannot spray guesses over many emails.
 */
@Injectable()
export class SignInLimiter {
  constructor(private readonly dataSource: DataSource) {}

  /** Milliseconds until the slowest of `keys` may try again; 0 when all may now. */
  async waitMs(keys: string[]): Promise<number> {
    const [row] = await this.dataSource.query(
      `SELECT coalesce(max(extract(epoch FROM retry_at - now()) * 1000), 0)::float8 AS wait FROM sign_in_failures WHERE key = ANY($1) AND retry_at > now()`,
      [keys],
    );
    return Math.max(0, Math.ceil(Number(row?.wait ?? 0)));
  }

  /** Counts a failure for `key`; the next attempt waits signInDelayMs(failures, free). */
  async fail(key: string, free: number): Promise<void> {
    const result = await this.dataSource.query(
      `INSERT INTO sign_in_failures (key, failures, last_failed_at) VALUES ($1, 1, now())
       ON CONFLICT ON CONSTRAINT pk_sign_in_failures DO UPDATE
         SET failures = CASE WHEN sign_in_failures.last_failed_at < now() - interval '${FORGET_AFTER}' THEN 1 ELSE sign_in_failures.failures + 1 END,
             last_failed_at = now()
       RETURNING failures`,
      [key],
    );
    const failures = Number(returnedRows<{ failures: number }>(result)[0]?.failures ?? 1);
    await this.dataSource.query(`UPDATE sign_in_failures SET retry_at = now() + make_interval(secs => $2) WHERE key = $1`, [key, signInDelayMs(failures, free) / 1000]);
    await this.dataSource.query(`DELETE FROM sign_in_failures WHERE last_failed_at < now() - interval '${FORGET_AFTER}'`);
  }

  async clear(key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM sign_in_failures WHERE key = $1`, [key]);
  }
}
