/**
 * A small seeded PRNG (mulberry32) for simulations: the same seed gives the same run on every
 * machine, so a simulated share is a fixed figure, not a flaky one.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Successes in `trials` independent draws at probability `p` (draw by draw: exact, and fast enough). */
export function binomial(random: () => number, trials: number, p: number): number {
  let successes = 0;
  for (let i = 0; i < trials; i += 1) if (random() < p) successes += 1;
  return successes;
}

/** A whole number in [min, max], uniformly. */
export function uniformInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
