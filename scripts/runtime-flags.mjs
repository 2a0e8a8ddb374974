// Node.js flags Headroom's server runs with (`npm start`, the benchmarks; the Dockerfile's CMD
// repeats them).
//
// --max-semi-space-size=64: an OTLP batch keeps its points alive until its transaction commits,
// so with V8's default young generation (16 MB semi-spaces) most of them survive a scavenge and
// are copied, then promoted and collected again by the old generation. 64 MB semi-spaces took
// the server's CPU per OTLP point from 29–32 µs to 27–30 µs and ingest from 24,000–27,000 to
// 25,000–28,600 points/s (bench/otlp-ingest.mjs, three alternating pairs, load 2–3), for about
// 80 MB more resident memory.
export const NODE_RUNTIME_FLAGS = ['--max-semi-space-size=64'];
