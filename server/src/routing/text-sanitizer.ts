import { Injectable, type PipeTransform } from '@nestjs/common';

// PostgreSQL stores neither NUL characters (text, jsonb) nor unpaired UTF-16 surrogates
// (jsonb), and JSON lets a client send both. Left in, they turn a harmless request into a
// database error (a 500); cleaned, the text keeps its meaning.
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function cleanText(s: string): string {
  return s.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** Cleans every string (keys included) of a parsed JSON value. */
export function sanitizeJson<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map((v) => sanitizeJson(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), sanitizeJson(v)])) as T;
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
