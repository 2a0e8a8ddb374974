import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger';

/** Probes and scrapes, polled all day: never logged. */
const UNLOGGED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Request logs: failures at warn (4xx) or error (5xx), the rest at debug (the console polls).
 * Integration endpoints take thousands of requests a second, so a request costs one listener
 * and, unless its level is enabled, no log record (pino-http built a child logger for each one).
 */
export function requestLog(logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = req.url ?? '';
    if (UNLOGGED.has(url)) return next();
    const started = performance.now();
    res.once('close', () => {
      const aborted = !res.writableFinished;
      const level = aborted || res.statusCode >= 400 ? (res.statusCode >= 500 ? 'error' : 'warn') : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        { req: { method: req.method, url }, res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) },
        aborted ? 'request aborted' : res.statusCode >= 500 ? 'request errored' : 'request completed',
      );
    });
    next();
  };
}
