import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { LOGGER, type Logger } from '../../common/logger';
import { returnedRows } from '../../common/returned-rows';

/** Slack's clock may run ahead of ours by this much; a request stamped further ahead is refused. */
export const MAX_FUTURE_SKEW_SECONDS = 60;
/** Signatures are kept longer than the 5 minutes a request's timestamp is accepted for. */
const KEEP_MINUTES = 10;

/**
 * In front of Bolt's receiver: Bolt checks a request's signature and that its timestamp is not
 * older than 5 minutes, but within those minutes a captured request (a click, `/headroom page`)
 * would act again if sent again, and a timestamp from the future is accepted. Each signature is
 * taken once (in the database, so every process agrees); a request seen before is acknowledged
 * and dropped; one stamped more than a minute ahead is refused (401). Bolt still verifies the
 * signature after this: a forged one recorded here matches no real request.
 */
@Injectable()
export class SlackReplayGuard {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Whether the request should go on to Bolt; when not, it has been answered. */
  async admit(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const signature = req.headers['x-slack-signature'];
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    if (typeof signature !== 'string' || !Number.isFinite(timestamp)) return true; // Bolt answers 401.
    if (timestamp > Date.now() / 1000 + MAX_FUTURE_SKEW_SECONDS) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('request timestamp is in the future');
      return false;
    }
    const inserted = returnedRows(await this.dataSource.query(
      `INSERT INTO slack_requests_seen (signature) VALUES ($1) ON CONFLICT ON CONSTRAINT pk_slack_requests_seen DO NOTHING RETURNING signature`,
      [signature.slice(0, 200)],
    ));
    await this.dataSource.query(`DELETE FROM slack_requests_seen WHERE seen_at < now() - make_interval(mins => $1)`, [KEEP_MINUTES]);
    if (inserted.length > 0) return true;
    this.logger.warn({ timestamp }, 'slack request replayed; acknowledged and not acted on');
    // 200 with no body: Slack's own retry (if any) is not an error, and a replay learns nothing.
    res.writeHead(200).end();
    return false;
  }
}
