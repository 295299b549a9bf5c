import { describe, expect, it } from "vitest";
import { nextAllowedAt } from "../../src/domain/publish-budget.ts";

const now = new Date("2026-06-01T12:00:00Z");
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe("posting budget", () => {
  it("given room in both windows, allows posting now", () => {
    expect(nextAllowedAt([minutesAgo(1)], { per24Hours: 3, per15Minutes: 3 }, now)).toEqual(now);
  });

  it("given the 24-hour budget used up, waits until the oldest post in the window is 24 h old", () => {
    const recent = [minutesAgo(600), minutesAgo(300), minutesAgo(10)];
    expect(nextAllowedAt(recent, { per24Hours: 3, per15Minutes: 100 }, now)).toEqual(
      new Date(minutesAgo(600).getTime() + 24 * 60 * 60_000),
    );
  });

  it("given the 15-minute budget used up, waits for the window to slide", () => {
    const recent = [minutesAgo(14), minutesAgo(5)];
    expect(nextAllowedAt(recent, { per24Hours: 100, per15Minutes: 2 }, now)).toEqual(
      new Date(minutesAgo(14).getTime() + 15 * 60_000),
    );
  });

  it("ignores posts older than the windows", () => {
    const recent = [minutesAgo(25 * 60), minutesAgo(16)];
    expect(nextAllowedAt(recent, { per24Hours: 1, per15Minutes: 1 }, now)).toEqual(
      new Date(minutesAgo(16).getTime() + 24 * 60 * 60_000),
    );
  });

  it("lets X's own reset win when it is later than the local budget", () => {
    const blockedUntil = new Date(now.getTime() + 3_600_000);
    expect(nextAllowedAt([], { per24Hours: 100, per15Minutes: 100 }, now, blockedUntil)).toEqual(
      blockedUntil,
    );
  });
});
