import { ArgumentsHost, Catch, HttpStatus, Inject } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { LOGGER, type Logger } from './logger';

/** Seconds a client is asked to wait before retrying while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Network errors of a connection to the database server (pg reports them by Node's code). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that mean "the server is not there right now", not "the statement is wrong":
 * class 08 (connection exception), 57P01-57P03 (shut down by an administrator, crashed,
 * starting up), 53300 (too many connections).
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;

/** Messages of pg and its pool for a lost or unobtainable connection, which carry no code. */
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'Connection terminated unexpectedly',
];

/**
 * Whether `err` (as thrown by pg or wrapped by TypeORM) says the database cannot be reached,
 * as opposed to a statement that failed: such a request is answered 503 with Retry-After, and
 * the same request will succeed once the database is back.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
  // A connect to several addresses (localhost: ::1 and 127.0.0.1) fails as an AggregateError.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.driverError ?? e.cause, depth + 1);
}

/**
 * Every route: a request that failed because the database is away is answered 503 with
 * Retry-After and a body that names the database (never a 500, never a hang), so webhooks and
 * exporters retry and nothing they were told was stored is lost. Everything else goes to
 * Nest's own handling.
 */
@Catch()
export class DatabaseUnavailableFilter extends BaseExceptionFilter {
  @Inject(LOGGER) private readonly logger!: Logger;

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http' || !isDatabaseUnavailable(exception)) return super.catch(exception, host);
    answerDatabaseUnavailable(host.switchToHttp().getResponse<ServerResponse>(), exception, this.logger);
  }
}

/** The 503 for a request the database's absence failed: Retry-After, and a body saying nothing was stored. */
export function answerDatabaseUnavailable(res: ServerResponse, err: unknown, logger: Logger): void {
  logger.warn({ err: (err as Error).message }, 'request answered 503: the database is unavailable');
  if (res.headersSent) return void res.end();
  const body = JSON.stringify({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', message: 'the database is unavailable; nothing was stored, retry later' });
  res.writeHead(HttpStatus.SERVICE_UNAVAILABLE, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) });
  res.end(body);
}
