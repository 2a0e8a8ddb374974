import { answerDatabaseUnavailable, isDatabaseUnavailable } from './database-unavailable';
import { HttpException, HttpStatus } from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Logger } from './logger';
import { requestLog } from './request-log';

export interface FastRoute {
  method: string;
  /** The exact path (a query string is allowed); other spellings Express would match go to Express. */
  path: string;
  /** Further conditions on the request; the rest goes to Express and Nest as before. */
  takes(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * Serves a route ahead of Express and Nest, for integration webhooks that arrive thousands of
 * times a second: on this route the Express router, the Nest guards, pipes and exception
 * filters and res.json cost several times what the alerts themselves do. The route does the
 * same work itself (authentication, validation, the same answers), and every other request, or
 * one this route does not take, goes to the Express application as before.
 */
export function serveBeforeExpress(server: Server, route: FastRoute, logger: Logger): void {
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error(`expected the Express application as the only request listener, found ${listeners.length}`);
  const [express] = listeners;
  const log = requestLog(logger);
  const matches = (url: string | undefined) => url === route.path || (url !== undefined && url.startsWith(route.path) && url[route.path.length] === '?');
  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== route.method || !matches(req.url) || !route.takes(req)) return express(req, res);
    log(req, res, () => undefined);
    route.handle(req, res).catch((err: unknown) => replyError(res, err, logger));
  });
}

/** A JSON answer, as Express's res.json writes it (without the ETag, which a webhook never uses). */
export function replyJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers an error as Nest's exception filter does: an HttpException with its response (a bare
 * message becomes `{ statusCode, message }`), a database that is away a 503 with Retry-After (as
 * DatabaseUnavailableFilter answers), anything else a logged 500 that tells nothing.
 */
export function replyError(res: ServerResponse, err: unknown, logger: Logger): void {
  if (res.headersSent) return void res.end();
  if (err instanceof HttpException) {
    const body = err.getResponse();
    // An unread request body (refused as too large) is not drained: the connection closes.
    if (!res.req.complete) res.setHeader('connection', 'close');
    return replyJson(res, err.getStatus(), typeof body === 'object' ? body : { statusCode: err.getStatus(), message: body });
  }
  if (isDatabaseUnavailable(err)) return answerDatabaseUnavailable(res, err, logger);
  logger.error({ err, context: 'ExceptionsHandler' }, (err as Error)?.message ?? String(err));
  replyJson(res, HttpStatus.INTERNAL_SERVER_ERROR, { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' });
}
