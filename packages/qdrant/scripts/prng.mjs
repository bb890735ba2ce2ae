/**
 * mulberry32: a small seeded PRNG for the scripts and child processes that generate test and
 * benchmark data (plain JavaScript, so they can run without a build step). The TypeScript tests
 * use the same generator from src/backend/__tests__/fixtures.ts.
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
