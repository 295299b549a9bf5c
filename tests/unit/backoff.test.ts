import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/domain/backoff.ts";

const policy = { baseMs: 1_000, maxMs: 60_000 };

describe("retry backoff", () => {
  it("grows exponentially with the attempt and stays within its bounds", () => {
    expect(backoffDelay(1, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(2, policy, () => 1)).toBe(2_000);
    expect(backoffDelay(4, policy, () => 1)).toBe(8_000);
    expect(backoffDelay(20, policy, () => 1)).toBe(60_000);
  });

  it("spreads retries between half the base and the ceiling", () => {
    expect(backoffDelay(4, policy, () => 0)).toBe(500);
    const delays = Array.from({ length: 200 }, () => backoffDelay(3, policy));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4_000);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});
