/**
 * A seeded generator of numbers in [0, 1) (xorshift32), so that a run of a fake that fails at
 * random can be repeated with the seed it printed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}
