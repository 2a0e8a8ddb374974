import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from './logger';
import { requestLog } from './request-log';

/** A logger at `level` that keeps what it logs. */
function fakeLogger(level: 'debug' | 'warn') {
  const order = ['debug', 'info', 'warn', 'error'];
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (l: string) => (obj: Record<string, unknown>, msg: string) => lines.push({ level: l, obj, msg });
  const logger = { isLevelEnabled: (l: string) => order.indexOf(l) >= order.indexOf(level), debug: at('debug'), warn: at('warn'), error: at('error') };
  return { logger: logger as unknown as Logger, lines };
}

function request(url: string, statusCode: number, finished = true) {
  const res = Object.assign(new EventEmitter(), { statusCode, writableFinished: finished });
  const next = jest.fn() as NextFunction;
  return { req: { method: 'POST', url } as Request, res: res as unknown as Response & EventEmitter, next };
}

describe('request log', () => {
  it('logs failures at warn and error and successes only when debug is on', () => {
    const { logger, lines } = fakeLogger('warn');
    for (const [url, status, finished] of [['/api/a', 200, true], ['/api/b', 404, true], ['/api/c', 503, true], ['/api/d', 200, false]] as const) {
      const { req, res, next } = request(url, status, finished);
      requestLog(logger)(req, res, next);
      expect(next).toHaveBeenCalled();
      res.emit('close');
    }
    expect(lines.map((l) => [l.level, (l.obj.req as { url: string }).url, l.msg])).toEqual([
      ['warn', '/api/b', 'request completed'],
      ['error', '/api/c', 'request errored'],
      ['warn', '/api/d', 'request aborted'],
    ]);
    expect(lines[0].obj).toMatchObject({ req: { method: 'POST' }, res: { statusCode: 404 }, responseTime: expect.any(Number) });
  });

  it('logs successes at debug, and never the probes', () => {
    const { logger, lines } = fakeLogger('debug');
    for (const url of ['/api/incidents', '/healthz', '/metrics']) {
      const { req, res, next } = request(url, 200);
      requestLog(logger)(req, res, next);
      res.emit('close');
    }
    expect(lines.map((l) => [l.level, (l.obj.req as { url: string }).url])).toEqual([['debug', '/api/incidents']]);
  });
});
