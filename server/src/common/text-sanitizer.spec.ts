import { cleanText, sanitizeJson } from './text-sanitizer';

describe('text sanitizer', () => {
  it('drops NUL and replaces unpaired surrogates, keeping valid text', () => {
    expect(cleanText('a\u0000b')).toBe('ab');
    expect(cleanText('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(cleanText('ok 🎵 ü')).toBe('ok 🎵 ü');
  });

  it('cleans keys and values at any depth and leaves other types alone', () => {
    expect(sanitizeJson({ 'k\u0000': ['v\u0000', 1, true, null, { deep: '\uDFFF' }] })).toEqual({ k: ['v', 1, true, null, { deep: '\uFFFD' }] });
  });

  it('returns clean values as they are, and copies only what it cleans', () => {
    const clean = { a: ['x', { b: 'y' }], c: 1 };
    expect(sanitizeJson(clean)).toBe(clean);
    const dirty = { a: ['x', { b: 'y\u0000' }], c: { d: 'z' } };
    const cleaned = sanitizeJson(dirty);
    expect(cleaned).toEqual({ a: ['x', { b: 'y' }], c: { d: 'z' } });
    expect(dirty.a[1]).toEqual({ b: 'y\u0000' });
    expect(cleaned.c).toBe(dirty.c);
  });

  it('refuses a body nested deeper than 64 levels with a 400 naming the body (a stack overflow and a 500 before)', () => {
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
    expect(() => sanitizeJson({ alerts: [{ annotations: deep }] })).toThrow(expect.objectContaining({ status: 400, message: 'body: nests deeper than 64 levels' }));
    const ok = JSON.parse('['.repeat(63) + '"x"' + ']'.repeat(63));
    expect(sanitizeJson(ok)).toBe(ok);
  });
});
