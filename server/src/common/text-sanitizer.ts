import { Injectable, type PipeTransform } from '@nestjs/common';
import { ValidationError } from './errors';

// PostgreSQL stores neither NUL characters (text, jsonb) nor unpaired UTF-16 surrogates
// (jsonb), and JSON lets a client send both. Left in, they turn a harmless request into a
// database error (a 500); cleaned, the text keeps its meaning.
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Almost all text is clean: one scan finds out, and clean values are returned as they are.
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

/** What in `s` PostgreSQL cannot store (a NUL, an unpaired surrogate), or null when nothing. */
export function unstorableCharacter(s: string): string | null {
  if (!SUSPECT.test(s)) return null;
  if (s.includes('\u0000')) return 'a NUL character';
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(s) ? 'an unpaired UTF-16 surrogate (not valid Unicode)' : null;
}

export function cleanText(s: string): string {
  return SUSPECT.test(s) ? s.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD') : s;
}

/**
 * How deep a request body may nest. Real payloads (an Alertmanager webhook, a PagerDuty event's
 * custom_details) nest a handful of levels; a body of 500,000 brackets would otherwise overflow
 * the stack of every walk over it (a 500 before).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Cleans every string (keys included) of a parsed JSON value. Returns the value itself when
 * nothing needed cleaning (every request body goes through here), otherwise a cleaned copy.
 * A value nested deeper than MAX_JSON_DEPTH is refused (400).
 */
export function sanitizeJson<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (depth >= MAX_JSON_DEPTH && value !== null && typeof value === 'object') {
    throw new ValidationError([{ field: 'body', message: `nests deeper than ${MAX_JSON_DEPTH} levels` }]);
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const clean = sanitizeJson(v, depth + 1);
      if (clean !== v) (copy ??= value.slice())[i] = clean;
    }
    return (copy ?? value) as T;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value);
    let changed = false;
    for (const entry of entries) {
      const [k, v] = entry;
      const key = cleanText(k);
      const clean = sanitizeJson(v, depth + 1);
      if (key !== k || clean !== v) {
        entry[0] = key;
        entry[1] = clean;
        changed = true;
      }
    }
    return (changed ? Object.fromEntries(entries) : value) as T;
  }
  return value;
}

/** Put before the validation pipe: `@Body(new SanitizePipe(), new ZodValidationPipe(schema))`. */
@Injectable()
export class SanitizePipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown): unknown {
    return sanitizeJson(value);
  }
}
