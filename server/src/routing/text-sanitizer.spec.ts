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
});
