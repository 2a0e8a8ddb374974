import type { IncomingMessage } from 'node:http';

/** Largest JSON request body Express's JSON parser takes (bootstrap.ts). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Whether the body is `application/json`, whatever its parameters: body-parser's own type check
 * (`type-is`) would also take `application/*+json`, which only OTLP sends and reads itself.
 */
export function isJsonType(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'application/json';
}
