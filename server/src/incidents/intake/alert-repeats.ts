import { createHash, hash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { IncomingAlert } from './incoming-alert';
import { matchLabels } from '../../rules/route-definition';
import { alertKeyOf } from './alert-grouping';
import { pgCode } from '../incident-records';
import { activeMutesDigestSql, muteReason, type MuteSnapshot } from '../mute';

/**
 * The steady state of alert ingest is repeats: Alertmanager re-sends every firing alert of a
 * group each group_interval, and nearly all of them are already stored in an open incident.
 * For a batch made only of such repeats, one statement does the whole commit — no BEGIN,
 * no COMMIT, no reads first — where the general path needs half a dozen round trips.
 *
 * A single statement is atomic and durable on return like a transaction, and all or nothing:
 * it changes anything only when every alert of the batch still belongs to an open incident that
 * is neither muted nor waiting for a re-fire (those need timeline rows and perhaps a page), with
 * those incidents locked, and when the silences and maintenance windows in force are still the
 * ones the caller applied from memory (their digest). Otherwise it changes nothing and the
 * caller commits the batch the general way. What a repeat changes is what the general path
 * changes for it: the alert row (delivery count, last payload, last received) and the
 * incident's alert count and last alert time.
 *
 * A repeat nearly always carries the content (labels, annotations, payload) already stored, so
 * the statement leaves it out where the caller saw it stored by an earlier repeats commit: the
 * row keeps its content when its `content_hash` is still the hash of this delivery's content,
 * checked on the row as updated (so a concurrent write is seen). Any other write of the content
 * clears the hash; if a row's hash no longer matches, the statement fails on purpose, changes
 * nothing, and the batch takes the general path, which stores the content.
 */
export interface RepeatsResult {
  applied: boolean;
  /** When applied: alert key (`<source>:<key>`) → the open incident holding it. */
  homes: Map<string, number>;
  /** When applied: alert key → the hash of the content its row now holds. */
  contentHashes: Map<string, string>;
  /** When not applied: the alert keys that are not plain repeats (new, or their incident needs the general path). */
  stale: string[];
}

interface RepeatRow {
  alert_key: string;
  count: number;
  title: string;
  muted_by: string | null;
  generator_url: string | null;
  starts_at: string;
  content_hash: string;
}

/** The last delivery of each alert key of the batch, with its content as the JSON the statement reads. */
interface Repeat {
  row: RepeatRow;
  content: string;
}

/** `[labels, annotations, payload]` as JSON, and its hash (what `content_hash` holds). */
export function alertContent(a: Pick<IncomingAlert, 'labels' | 'annotations' | 'payload'>): { json: string; hash: string } {
  const json = JSON.stringify([a.labels, a.annotations, a.payload]);
  return { json, hash: hash('sha1', json, 'base64') };
}

/** The rows as one JSON array; `content` only for the rows whose stored content may differ. */
function rowsJson(repeats: Iterable<Repeat>, storedHash: (alertKey: string) => string | null | undefined): string {
  const parts: string[] = [];
  for (const { row, content } of repeats) {
    const json = JSON.stringify(row);
    parts.push(storedHash(row.alert_key) === row.content_hash ? json : `${json.slice(0, -1)},"content":${content}}`);
  }
  return `[${parts.join(',')}]`;
}

/** The text of the error the statement raises when a stored content changed (in the cast error's message). */
const CONTENT_CHANGED = 'stored alert content changed: the general path stores it';

// $1 the alerts (one row per alert key), $2 the instant, $3 the mutes digest, $4 the number of alert keys.
// The plan is made once per connection, often before the tables have statistics (the embedded
// database never gathers any), so the statement leaves the planner little to guess: each alert
// is found by index and its row updated by primary key. The LIMIT returns every row; it makes
// the planner expect a few alerts rather than a hundred, for which it would rather scan tables.
const REPEATS_SQL = `
WITH x AS MATERIALIZED (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(alert_key text, count int, title text, content jsonb, content_hash text,
                                                   muted_by text, generator_url text, starts_at timestamptz)
  LIMIT $4
),
-- Per alert: its row in the newest open incident holding it. The incident's status is read by
-- primary key for each of the alert's rows (newest first), rather than joined: a join lets the
-- planner merge with every open incident for each alert.
homes AS MATERIALIZED (
  SELECT x.*, h.id AS row_id, h.incident_id
  FROM x CROSS JOIN LATERAL (
    SELECT a.id, a.incident_id FROM incident_alerts a
    WHERE a.alert_key = x.alert_key AND (SELECT i.status FROM incidents i WHERE i.id = a.incident_id) <> 'resolved'
    ORDER BY a.incident_id DESC LIMIT 1
  ) h
),
mutes AS MATERIALIZED (${activeMutesDigestSql('$2')}),
locked AS MATERIALIZED (
  SELECT id FROM incidents
  WHERE id = ANY (ARRAY(SELECT DISTINCT incident_id FROM homes)) AND status <> 'resolved' AND NOT muted AND signal_resolved_at IS NULL
    AND (SELECT count(*) FROM homes) = $4 AND (SELECT digest FROM mutes) = $3
  ORDER BY id
  FOR UPDATE
),
ok AS MATERIALIZED (
  SELECT (SELECT count(*) FROM homes) = $4 AND NOT EXISTS (SELECT 1 FROM homes WHERE incident_id NOT IN (SELECT id FROM locked)) AS ok
),
-- A row sent without its content keeps the stored one, which must still be this content (the
-- hash is checked on the row as updated, after any concurrent write).
al AS (
  UPDATE incident_alerts a SET
    status = 'firing', count = a.count + x.count, title = x.title,
    labels = COALESCE(x.content->0, a.labels), annotations = COALESCE(x.content->1, a.annotations), payload = COALESCE(x.content->2, a.payload),
    content_hash = x.content_hash, muted_by = x.muted_by, generator_url = x.generator_url, starts_at = x.starts_at, ends_at = NULL, resolved_at = NULL,
    last_received_at = $2
  FROM homes x
  WHERE a.id = x.row_id AND (SELECT ok FROM ok) AND (x.content IS NOT NULL OR a.content_hash = x.content_hash)
  RETURNING a.incident_id, x.count
),
inc AS (
  UPDATE incidents i SET alert_count = i.alert_count + s.n, last_alert_at = $2, version = i.version + 1
  FROM (SELECT incident_id, sum(count)::int AS n FROM al GROUP BY incident_id) s
  WHERE i.id = s.incident_id
)
SELECT (SELECT ok FROM ok) AS applied,
       -- A row left out above: its content changed since the caller saw it. Failing undoes the
       -- whole statement (the cast of that text is the error), and the general path stores it.
       CAST(CASE WHEN (SELECT ok FROM ok) AND (SELECT count(*) FROM al) <> $4 THEN '${CONTENT_CHANGED}' ELSE '0' END AS int) AS content_check,
       CASE WHEN (SELECT ok FROM ok) THEN (SELECT json_agg(json_build_array(alert_key, incident_id)) FROM homes) END AS homes,
       CASE WHEN NOT (SELECT ok FROM ok) THEN (
         SELECT json_agg(x.alert_key) FROM x
         WHERE NOT EXISTS (SELECT 1 FROM homes h JOIN incidents i ON i.id = h.incident_id WHERE h.alert_key = x.alert_key AND NOT i.muted AND i.signal_resolved_at IS NULL)
       ) END AS stale`;

/**
 * Planning this statement costs more than running it (most of all on the embedded database,
 * where the planner runs in WebAssembly), so it runs as a named prepared statement:
 * parsed and planned once per connection. The name carries a hash of the text, so a changed
 * statement never meets an old plan.
 */
const REPEATS_STATEMENT = `headroom_repeats_${createHash('sha256').update(REPEATS_SQL).digest('hex').slice(0, 12)}`;

interface PgConnection {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

async function runPrepared(db: DataSource, name: string, text: string, values: unknown[]): Promise<unknown[]> {
  const runner = db.createQueryRunner();
  try {
    await runner.connect();
    const connection = (runner as unknown as { databaseConnection: PgConnection }).databaseConnection;
    try {
      return (await connection.query({ name, text, values })).rows;
    } catch (err) {
      // The embedded database has one session behind all its connections: a connection opened
      // after an earlier one closed finds the statement already prepared by it.
      if (pgCode(err) !== '42P05') throw err;
      await connection.query({ text: `DEALLOCATE ${name}` });
      return (await connection.query({ name, text, values })).rows;
    }
  } finally {
    await runner.release();
  }
}

/**
 * Commits a batch of firing alerts that are all repeats, in one statement, or changes nothing
 * (`applied: false`, or an error when a stored content changed meanwhile). `alerts` are in
 * arrival order; repeats of one alert add up and the last one's content is kept, as on the
 * general path. `storedHash` gives the content hash an earlier commit of this caller stored for
 * an alert key (the content is left out of the statement where it is this delivery's).
 */
export async function applyRepeats(
  db: DataSource,
  alerts: readonly IncomingAlert[],
  at: Date,
  mutes: MuteSnapshot,
  storedHash: (alertKey: string) => string | null | undefined = () => undefined,
): Promise<RepeatsResult> {
  const repeats = new Map<string, Repeat>();
  for (const a of alerts) {
    const key = alertKeyOf(a);
    const prior = repeats.get(key);
    const muted = muteReason(matchLabels(a), a.service ?? 'unknown', mutes.mutes);
    const content = alertContent(a);
    repeats.set(key, {
      row: {
        alert_key: key,
        count: (prior?.row.count ?? 0) + 1,
        title: a.title,
        muted_by: muted?.text ?? null,
        generator_url: a.generatorUrl,
        starts_at: a.startsAt.toISOString(),
        content_hash: content.hash,
      },
      content: content.json,
    });
  }
  const [row] = (await runPrepared(db, REPEATS_STATEMENT, REPEATS_SQL, [rowsJson(repeats.values(), storedHash), at.toISOString(), mutes.digest, repeats.size])) as Array<{
    applied: boolean;
    homes: Array<[string, number]> | null;
    stale: string[] | null;
  }>;
  const applied = row.applied === true;
  return {
    applied,
    homes: new Map((row.homes ?? []).map(([k, id]) => [k, Number(id)])),
    contentHashes: applied ? new Map([...repeats].map(([k, r]) => [k, r.row.content_hash])) : new Map(),
    stale: row.stale ?? [],
  };
}
