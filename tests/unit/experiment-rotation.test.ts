import { describe, expect, it } from "vitest";
import {
  assignVariants,
  type PlacedVariant,
  rotationSlots,
} from "../../src/domain/experiment-rotation.ts";
import { nextSlots, parseSchedule } from "../../src/domain/schedule.ts";

const DAY_MS = 86_400_000;
const ZONE = "Europe/Berlin";
const START = new Date("2026-12-06T23:00:00Z"); // Monday 2026-12-07 00:00 in Berlin

function fourWeeks(times: string, days?: string) {
  const schedule = parseSchedule({ times, ...(days === undefined ? {} : { days }) });
  const end = START.getTime() + 28 * DAY_MS;
  const instants = nextSlots(schedule, ZONE, START, 200).filter((at) => at.getTime() < end);
  return rotationSlots(instants, ZONE);
}

function countBy(placed: readonly PlacedVariant[], key: (p: PlacedVariant) => string) {
  const counts = new Map<string, number>();
  for (const p of placed) counts.set(key(p), (counts.get(key(p)) ?? 0) + 1);
  return counts;
}

/** For each group (slot time, or time and weekday), the spread of the variants' counts. */
function spreads(
  labels: readonly string[],
  placed: readonly PlacedVariant[],
  group: (p: PlacedVariant) => string,
): number[] {
  const counts = countBy(placed, (p) => `${group(p)}|${p.label}`);
  return [...new Set(placed.map(group))].map((g) => {
    const perVariant = labels.map((label) => counts.get(`${g}|${label}`) ?? 0);
    return Math.max(...perVariant) - Math.min(...perVariant);
  });
}

describe("balanced rotation of experiment variants", () => {
  for (const labels of [
    ["A", "B"],
    ["A", "B", "C"],
    ["A", "B", "C", "D"],
  ]) {
    it(`given ${labels.length} variants over 4 weeks of 09:00/15:00/21:00, each variant's count per slot time differs by at most 1`, () => {
      const slots = fourWeeks("09:00,15:00,21:00");
      expect(slots).toHaveLength(84);
      const placed = assignVariants({ labels, placed: [], slots, minGapMs: DAY_MS });
      const perTime = countBy(placed, (p) => `${p.time} ${p.label}`);
      console.info(
        `${labels.length} variants: ${placed.length} of ${slots.length} slots filled;`,
        Object.fromEntries([...perTime].sort()),
      );
      expect(Math.max(...spreads(labels, placed, (p) => p.time))).toBeLessThanOrEqual(1);
      // Every variant at every time, and none of them idle for long.
      expect(perTime.size).toBe(labels.length * 3);
      expect(placed.length).toBeGreaterThanOrEqual(slots.length / 2);
      // Weekday by weekday the spread stays small too (a preference, not a hard rule).
      expect(Math.max(...spreads(labels, placed, (p) => p.weekday))).toBeLessThanOrEqual(2);
    });
  }

  it("given the rotation, no variant repeats within 24 h (X refuses the same text) and the first variant of the day changes", () => {
    const slots = fourWeeks("09:00,15:00,21:00");
    const labels = ["A", "B", "C"];
    const placed = assignVariants({ labels, placed: [], slots, minGapMs: DAY_MS });
    for (const label of labels) {
      const times = placed.filter((p) => p.label === label).map((p) => p.at.getTime());
      for (let i = 1; i < times.length; i += 1) {
        expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(DAY_MS);
      }
    }
    const firstOfDay = new Map<string, string>();
    for (const p of placed) {
      const day = p.at.toISOString().slice(0, 10);
      if (!firstOfDay.has(day)) firstOfDay.set(day, p.label);
    }
    expect(new Set(firstOfDay.values()).size).toBe(3);
  });

  it("given posts already placed, the rotation continues from them and keeps the balance", () => {
    const slots = fourWeeks("09:00,15:00,21:00");
    const labels = ["A", "B"];
    const first = assignVariants({
      labels,
      placed: [],
      slots: slots.slice(0, 30),
      minGapMs: DAY_MS,
    });
    const rest = assignVariants({
      labels,
      placed: first,
      slots: slots.slice(30),
      minGapMs: DAY_MS,
    });
    const whole = assignVariants({ labels, placed: [], slots, minGapMs: DAY_MS });
    expect([...first, ...rest]).toEqual(whole);
  });

  it("given a schedule of mon, wed and fri at 09:00 and 18:00, per-time counts still differ by at most 1", () => {
    const slots = fourWeeks("09:00,18:00", "mon,wed,fri");
    const labels = ["A", "B", "C"];
    const placed = assignVariants({ labels, placed: [], slots, minGapMs: DAY_MS });
    expect(Math.max(...spreads(labels, placed, (p) => p.time))).toBeLessThanOrEqual(1);
    expect(placed.length).toBeGreaterThanOrEqual(slots.length / 2);
  });

  it("given slot instants, their wall-clock time and weekday are read in the campaign's zone", () => {
    expect(rotationSlots([new Date("2026-12-07T20:00:00Z")], ZONE)).toEqual([
      { at: new Date("2026-12-07T20:00:00Z"), time: "21:00", weekday: "mon" },
    ]);
  });
});
