import fc from "fast-check";
import { DateTime, IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import {
  nextFreeSlot,
  nextSlots,
  parsePostTime,
  parseSchedule,
  parseTimes,
  type Schedule,
  WEEKDAYS,
} from "../../src/domain/schedule.ts";

/**
 * The oracle below works from instant → wall clock (which has exactly one answer) and from the
 * set of offsets a zone uses, instead of resolving wall clocks the way the module does.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const RANGE_START = Date.UTC(2026, 0, 1);
const RANGE_END = Date.UTC(2028, 0, 1);

// Southern DST (Sydney), half-hour (Kolkata) and 45-minute (Chatham) offsets, and no DST at all.
const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Sydney",
  "Asia/Kolkata",
  "UTC",
  "Pacific/Chatham",
] as const;
type ZoneName = (typeof ZONES)[number];

interface ZoneFacts {
  zone: IANAZone;
  /** Every offset (minutes) in force around 2026–2027; each zone here has at most two. */
  offsets: number[];
  /** Instants at which the offset changes, to the minute. */
  transitions: number[];
}

function zoneFacts(name: ZoneName): ZoneFacts {
  const zone = IANAZone.create(name);
  const offsets = new Set<number>();
  const transitions: number[] = [];
  for (let day = RANGE_START - 30 * DAY_MS; day < RANGE_END + 30 * DAY_MS; day += DAY_MS) {
    offsets.add(zone.offset(day));
    if (zone.offset(day) === zone.offset(day + DAY_MS)) continue;
    // Bisect the day down to the minute at which the offset changes.
    let low = day;
    let high = day + DAY_MS;
    while (high - low > MINUTE_MS) {
      const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
      if (zone.offset(middle) === zone.offset(low)) low = middle;
      else high = middle;
    }
    transitions.push(high);
  }
  return { zone, offsets: [...offsets].sort((a, b) => a - b), transitions };
}

const FACTS = new Map(ZONES.map((name) => [name, zoneFacts(name)] as const));

function factsFor(name: ZoneName): ZoneFacts {
  const facts = FACTS.get(name);
  if (facts === undefined) throw new Error(`no facts for ${name}`);
  return facts;
}

/** Minutes by which a skipped hour pushes wall clocks forward (0 without DST). */
function gapMinutes(facts: ZoneFacts): number {
  return Math.max(...facts.offsets) - Math.min(...facts.offsets);
}

function minuteOfDay(time: string): number {
  const [hour = 0, minute = 0] = time.split(":").map(Number);
  return hour * 60 + minute;
}

function allowedWeekdays(schedule: Schedule): Set<number> {
  const days = schedule.days === "daily" ? WEEKDAYS : schedule.days;
  return new Set(days.map((day) => WEEKDAYS.indexOf(day) + 1));
}

/** Every instant whose local wall clock reads `wallMs` (a wall clock written as if UTC). */
function occurrencesOf(facts: ZoneFacts, wallMs: number): number[] {
  return facts.offsets
    .filter((offset) => facts.zone.offset(wallMs - offset * MINUTE_MS) === offset)
    .map((offset) => wallMs - offset * MINUTE_MS);
}

/**
 * Where the documented rules put a wall-clock time: its first occurrence, or, if it never occurs
 * (skipped hour), its reading with the pre-transition offset, i.e. the smaller of the two.
 */
function documentedInstant(facts: ZoneFacts, wallMs: number): number {
  const occurrences = occurrencesOf(facts, wallMs);
  return occurrences.length > 0
    ? Math.min(...occurrences)
    : wallMs - Math.min(...facts.offsets) * MINUTE_MS;
}

/** Every listed (day, time) between `after` (exclusive) and `last` (inclusive), placed by the rules. */
function expectedSlots(schedule: Schedule, name: ZoneName, after: number, last: number): number[] {
  const facts = factsFor(name);
  const weekdays = allowedWeekdays(schedule);
  const first = DateTime.fromMillis(after, { zone: name });
  const final = DateTime.fromMillis(last, { zone: name });
  const expected = new Set<number>();
  let day = DateTime.utc(first.year, first.month, first.day).minus({ days: 2 });
  const stop = DateTime.utc(final.year, final.month, final.day).plus({ days: 2 });
  for (; day <= stop; day = day.plus({ days: 1 })) {
    if (!weekdays.has(day.weekday)) continue;
    for (const time of schedule.times) {
      const instant = documentedInstant(facts, day.toMillis() + minuteOfDay(time) * MINUTE_MS);
      if (instant > after && instant <= last) expected.add(instant);
    }
  }
  return [...expected].sort((a, b) => a - b);
}

function wallClockOf(instant: number, name: ZoneName): { dayMs: number; minutes: number } {
  const local = DateTime.fromMillis(instant, { zone: name });
  return {
    dayMs: Date.UTC(local.year, local.month - 1, local.day),
    minutes: local.hour * 60 + local.minute,
  };
}

const clock = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

// Times around 01:30–03:45 hit the skipped and repeated hours of every zone in the list
// (Chatham changes at 02:45 standard time); the rest are uniform.
const timeArb = fc.oneof(
  fc.constantFrom("01:30", "02:00", "02:15", "02:30", "02:45", "03:00", "03:15", "03:30", "03:45"),
  fc.integer({ min: 0, max: 24 * 60 - 1 }).map(clock),
);

const scheduleArb = fc
  .record({
    times: fc.uniqueArray(timeArb, { minLength: 1, maxLength: 6 }),
    days: fc.oneof(
      fc.constant(undefined),
      fc.subarray([...WEEKDAYS], { minLength: 1 }).map((days) => days.join(",")),
    ),
  })
  .map(({ times, days }) => parseSchedule({ times: times.join(","), days }));

/** Half spread over 2026–2027, half within three days before one of the zone's DST changes. */
function afterArb(name: ZoneName): fc.Arbitrary<Date> {
  const anywhere = fc.date({
    min: new Date(RANGE_START),
    max: new Date(RANGE_END - 1),
    noInvalidDate: true,
  });
  const transitions = factsFor(name).transitions;
  if (transitions.length === 0) return anywhere;
  const nearChange = fc
    .tuple(fc.constantFrom(...transitions), fc.integer({ min: 0, max: 3 * DAY_MS }))
    .map(([transition, before]) => new Date(transition - before));
  return fc.oneof(anywhere, nearChange);
}

const caseArb = fc.constantFrom(...ZONES).chain((zone) =>
  fc.record({
    zone: fc.constant(zone),
    schedule: scheduleArb,
    after: afterArb(zone),
    count: fc.integer({ min: 1, max: 25 }),
  }),
);

const RUNS = 400;

describe("nextSlots properties", () => {
  it("every zone in the list changes offset at least twice in 2026–2027, except UTC and Kolkata", () => {
    for (const zone of ZONES) {
      const expected = zone === "UTC" || zone === "Asia/Kolkata" ? 0 : 4;
      expect(
        factsFor(zone).transitions.filter((t) => t >= RANGE_START && t < RANGE_END),
      ).toHaveLength(expected);
    }
  });

  it("returns `count` strictly increasing slots, all after `after`", () => {
    fc.assert(
      fc.property(caseArb, ({ zone, schedule, after, count }) => {
        const slots = nextSlots(schedule, zone, after, count).map((slot) => slot.getTime());
        expect(slots).toHaveLength(count);
        expect(slots[0]).toBeGreaterThan(after.getTime());
        for (let i = 1; i < slots.length; i += 1) {
          expect(slots[i]).toBeGreaterThan(slots[i - 1] ?? Number.POSITIVE_INFINITY);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("puts every slot on an allowed local weekday at a listed time, or a listed time moved out of a skipped hour", () => {
    fc.assert(
      fc.property(caseArb, ({ zone, schedule, after, count }) => {
        const facts = factsFor(zone);
        const weekdays = allowedWeekdays(schedule);
        const listed = new Set(schedule.times.map(minuteOfDay));
        for (const slot of nextSlots(schedule, zone, after, count)) {
          const { dayMs, minutes } = wallClockOf(slot.getTime(), zone);
          const weekday = DateTime.fromMillis(dayMs, { zone: "UTC" }).weekday;
          if (listed.has(minutes)) {
            expect(weekdays.has(weekday)).toBe(true);
            continue;
          }
          // Not listed: it must be a listed time that does not exist that day, pushed by the gap.
          const original = minutes - gapMinutes(facts);
          expect(gapMinutes(facts)).toBeGreaterThan(0);
          expect(listed.has(original)).toBe(true);
          expect(weekdays.has(weekday)).toBe(true);
          expect(occurrencesOf(facts, dayMs + original * MINUTE_MS)).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("skips no listed (day, time) between `after` and the last slot, and fires repeated times once", () => {
    fc.assert(
      fc.property(caseArb, ({ zone, schedule, after, count }) => {
        const slots = nextSlots(schedule, zone, after, count).map((slot) => slot.getTime());
        const last = slots.at(-1) ?? after.getTime();
        expect(slots).toEqual(expectedSlots(schedule, zone, after.getTime(), last));
      }),
      { numRuns: RUNS },
    );
  });

  it("resumed from any returned slot, continues with exactly the remaining slots", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ({ zone, schedule, after, count }, pick) => {
        const slots = nextSlots(schedule, zone, after, count);
        const resumeAt = pick % slots.length;
        const resumeFrom = slots[resumeAt];
        if (resumeFrom === undefined) throw new Error("no slot to resume from");
        expect(nextSlots(schedule, zone, resumeFrom, count - resumeAt - 1)).toEqual(
          slots.slice(resumeAt + 1),
        );
      }),
      { numRuns: RUNS / 4 },
    );
  });
});

describe("nextFreeSlot properties", () => {
  it("returns the first slot not taken, ignoring taken instants that are not slots", () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.array(fc.boolean(), { maxLength: 25 }),
        fc.array(fc.integer({ min: 1, max: MINUTE_MS - 1 }), { maxLength: 5 }),
        ({ zone, schedule, after }, takenFlags, subMinuteShifts) => {
          const candidates = nextSlots(schedule, zone, after, takenFlags.length + 1);
          const taken = candidates.filter((_, i) => takenFlags[i] === true);
          // Slots fall on whole minutes, so these near-misses never equal one.
          const nearMisses = subMinuteShifts.map(
            (shift, i) => new Date((candidates[i % candidates.length]?.getTime() ?? 0) + shift),
          );
          const firstFree = candidates.find((_, i) => takenFlags[i] !== true);
          expect(nextFreeSlot(schedule, zone, after, [...nearMisses, ...taken])).toEqual(firstFree);
        },
      ),
      { numRuns: RUNS / 4 },
    );
  });
});

describe("parsing properties", () => {
  it("parseTimes accepts any spelling of valid times and returns them padded, sorted and unique", () => {
    const spelledTime = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.boolean())
      .map(([hour, minute, padded]) => ({
        canonical: clock(hour * 60 + minute),
        typed: `${padded ? String(hour).padStart(2, "0") : hour}:${String(minute).padStart(2, "0")}`,
      }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(spelledTime, fc.constantFrom("", " ", "  ")), {
          minLength: 1,
          maxLength: 10,
        }),
        (pieces) => {
          const input = pieces.map(([time, space]) => `${space}${time.typed}${space}`).join(",");
          const expected = [...new Set(pieces.map(([time]) => time.canonical))].sort();
          expect(parseTimes(input)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("parsePostTime puts YYYY-MM-DD HH:mm on the same instant as a schedule slot at that time", () => {
    const localTimeArb = fc.constantFrom(...ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        day: afterArb(zone),
        time: timeArb,
      }),
    );
    fc.assert(
      fc.property(localTimeArb, ({ zone, day, time }) => {
        const local = DateTime.fromJSDate(day, { zone });
        const typed = `${local.toFormat("yyyy-MM-dd")} ${time}`;
        const request = parsePostTime(typed, zone, new Date(RANGE_START - DAY_MS));
        if (request.kind !== "at") throw new Error(`expected an instant for ${typed}`);
        const dayStart = Date.UTC(local.year, local.month - 1, local.day);
        expect(request.instant.getTime()).toBe(
          documentedInstant(factsFor(zone), dayStart + minuteOfDay(time) * MINUTE_MS),
        );
        const slot = nextSlots(
          { days: "daily", times: [time] },
          zone,
          new Date(request.instant.getTime() - 1),
          1,
        );
        expect(slot).toEqual([request.instant]);
      }),
      { numRuns: RUNS },
    );
  });
});
