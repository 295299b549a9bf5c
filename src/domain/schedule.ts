/**
 * Campaign posting schedules: parsing what a Discord user types, validating what the database
 * gives back, and turning "mon,wed at 09:00 in Europe/Berlin" into UTC instants.
 *
 * Daylight-saving time (one rule for schedules and for "YYYY-MM-DD HH:mm" post times):
 * - A wall-clock time in a SKIPPED hour (02:30 in Europe/Berlin on the last Sunday of March) is
 *   moved forward by the length of the gap: it fires at 03:30 local, the instant "02:30 + 1 h"
 *   would be. This is Temporal's "compatible" disambiguation, so the bot and any future Temporal
 *   code agree, and a post is never silently dropped or moved to the previous day.
 * - A wall-clock time in a REPEATED hour (02:30 on the last Sunday of October) fires ONCE, at its
 *   first occurrence (the earlier instant, +02:00 in Berlin). Posting twice would repeat content
 *   X refuses as a duplicate, and the earlier instant is also what "compatible" picks.
 * - A forward shift can land on another listed time (02:30 and 03:30 on spring-forward day both
 *   mean 03:30 CEST) or even before one (02:30 moves past 03:15). Slots are therefore sorted and
 *   de-duplicated: the output is always strictly increasing.
 */
import { DateTime, IANAZone } from "luxon";
import { z } from "zod";
import { DomainError } from "./errors.ts";

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** Monday first, matching Luxon's ISO weekday numbers (1 = Monday … 7 = Sunday). */
export const WEEKDAYS = [
  "mon",
  "tue",
  "wed",
  "thu",
  "fri",
  "sat",
  "sun",
] as const satisfies readonly Weekday[];

/** days sorted mon..sun and unique ("daily" when all seven); times "HH:mm", sorted and unique. */
export interface Schedule {
  days: "daily" | Weekday[];
  times: string[];
}

export type PostTimeRequest = { kind: "now" } | { kind: "next" } | { kind: "at"; instant: Date };

const TIMES_HINT = "Use HH:mm, 24-hour, comma-separated, e.g. 09:00,15:00,21:00.";
const DAYS_HINT =
  'Use "daily" or comma-separated days such as mon,wed,fri (full names like monday work too).';
const TIME_ZONE_HINT = "Use an IANA name such as Europe/Berlin or America/New_York.";

/** Strict stored form: zero-padded, 00:00–23:59. */
const STORED_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
/** Typed form: the hour may drop its leading zero ("9:00"); ranges are checked after matching. */
const TYPED_TIME = /^(\d{1,2}):(\d{2})$/;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far nextFreeSlot looks before giving up: a year of slots, leap day included. */
const FREE_SLOT_HORIZON_DAYS = 366;
/** "at" times this close to now still count as now: typing and Discord's round trip take time. */
const PAST_GRACE_MS = MINUTE_MS;

const DAY_NAMES: ReadonlyMap<string, Weekday> = new Map([
  ["mon", "mon"],
  ["monday", "mon"],
  ["tue", "tue"],
  ["tuesday", "tue"],
  ["wed", "wed"],
  ["wednesday", "wed"],
  ["thu", "thu"],
  ["thursday", "thu"],
  ["fri", "fri"],
  ["friday", "fri"],
  ["sat", "sat"],
  ["saturday", "sat"],
  ["sun", "sun"],
  ["sunday", "sun"],
]);

/**
 * The JSON stored in Campaign.schedule. Read-back values are normalised (sorted, unique, all seven
 * days as "daily") so a hand-edited row still yields a valid Schedule.
 */
export const scheduleSchema = z
  .object({
    days: z.union([z.literal("daily"), z.array(z.enum(WEEKDAYS)).min(1)]),
    times: z.array(z.string().regex(STORED_TIME, "expected HH:mm (00:00–23:59)")).min(1),
  })
  .transform(
    (stored): Schedule => ({
      days: stored.days === "daily" ? "daily" : normaliseDays(stored.days),
      times: [...new Set(stored.times)].sort(),
    }),
  );

/** "09:00,15:00, 21:00" → ["09:00","15:00","21:00"]; "9:00" → "09:00"; duplicates collapse. */
export function parseTimes(input: string): string[] {
  if (input.trim() === "") {
    throw new DomainError(
      "invalid_schedule",
      `No posting times given (got "${input}"). ${TIMES_HINT}`,
    );
  }
  const times = input.split(",").map((piece) => {
    const trimmed = piece.trim();
    if (trimmed === "") {
      throw new DomainError(
        "invalid_schedule",
        `Posting times "${input}" contain an empty entry. ${TIMES_HINT}`,
      );
    }
    const [, hour = "", minute = ""] = TYPED_TIME.exec(trimmed) ?? [];
    if (hour === "" || Number(hour) > 23 || Number(minute) > 59) {
      throw new DomainError(
        "invalid_schedule",
        `"${trimmed}" is not a valid posting time. ${TIMES_HINT}`,
      );
    }
    return `${hour.padStart(2, "0")}:${minute}`;
  });
  return [...new Set(times)].sort();
}

/** undefined, "" or "daily" → "daily"; "Mon, friday" → ["mon","fri"]; all seven → "daily". */
export function parseDays(input: string | undefined): "daily" | Weekday[] {
  const trimmed = input?.trim() ?? "";
  if (trimmed === "" || trimmed.toLowerCase() === "daily") return "daily";
  const days = trimmed.split(",").map((piece) => {
    const name = piece.trim().toLowerCase();
    if (name === "") {
      throw new DomainError(
        "invalid_schedule",
        `Days "${input}" contain an empty entry. ${DAYS_HINT}`,
      );
    }
    const day = DAY_NAMES.get(name);
    if (day === undefined) {
      throw new DomainError("invalid_schedule", `Unknown day "${piece.trim()}". ${DAYS_HINT}`);
    }
    return day;
  });
  return normaliseDays(days);
}

/**
 * Returns the runtime's canonical spelling ("europe/berlin" → "Europe/Berlin", "US/Eastern" →
 * "America/New_York") so campaigns store one name per zone.
 */
export function assertTimeZone(zone: string): string {
  const name = zone.trim();
  if (!IANAZone.isValidZone(name)) {
    throw new DomainError("invalid_timezone", `Unknown time zone "${zone}". ${TIME_ZONE_HINT}`);
  }
  return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
}

export function parseSchedule(input: { times: string; days?: string | undefined }): Schedule {
  return { days: parseDays(input.days), times: parseTimes(input.times) };
}

/** The next `count` slots strictly after `after`, strictly increasing (DST rules: file header). */
export function nextSlots(
  schedule: Schedule,
  timeZone: string,
  after: Date,
  count: number,
): Date[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  const slots: Date[] = [];
  if (count === 0) return slots;
  for (const instant of slotsAfter(schedule, timeZone, after)) {
    slots.push(new Date(instant));
    if (slots.length === count) break;
  }
  return slots;
}

/** Every slot strictly after `after` and at or before `until`, in order (DST rules: file header). */
export function slotsUntil(schedule: Schedule, timeZone: string, after: Date, until: Date): Date[] {
  const slots: Date[] = [];
  for (const instant of slotsAfter(schedule, timeZone, after)) {
    if (instant > until.getTime()) break;
    slots.push(new Date(instant));
  }
  return slots;
}

/** The first slot after `after` not already in `taken` (same instant, to the millisecond). */
export function nextFreeSlot(
  schedule: Schedule,
  timeZone: string,
  after: Date,
  taken: readonly Date[],
): Date {
  const takenInstants = new Set(taken.map((date) => date.getTime()));
  const horizon = after.getTime() + FREE_SLOT_HORIZON_DAYS * DAY_MS;
  for (const instant of slotsAfter(schedule, timeZone, after)) {
    if (instant > horizon) break;
    if (!takenInstants.has(instant)) return new Date(instant);
  }
  throw new DomainError(
    "no_free_slot",
    `Every scheduled slot in the next ${FREE_SLOT_HORIZON_DAYS} days is already taken. ` +
      'Add posting times or days to the campaign, or give an explicit time with "at".',
    { timeZone, after: after.toISOString(), horizonDays: FREE_SLOT_HORIZON_DAYS },
  );
}

/**
 * The `at` option of /post queue: "now", "next", "YYYY-MM-DD HH:mm" in the campaign's time zone
 * (DST rules as for schedules), or ISO 8601 with an explicit offset. ISO without an offset is
 * refused rather than guessed: the user may mean UTC or local time.
 */
export function parsePostTime(
  input: string | undefined,
  timeZone: string,
  now: Date,
): PostTimeRequest {
  const zone = zoneFor(timeZone);
  const text = input?.trim() ?? "";
  const keyword = text.toLowerCase();
  if (keyword === "" || keyword === "now") return { kind: "now" };
  if (keyword === "next") return { kind: "next" };

  const instant = parseLocalTime(text, zone) ?? parseIsoTime(text, zone);
  if (instant === undefined) {
    throw new DomainError(
      "invalid_time",
      `"${text}" is not a time Herald understands. ${postTimeHint(zone)}`,
    );
  }
  if (instant.getTime() < now.getTime() - PAST_GRACE_MS) {
    throw new DomainError(
      "invalid_time",
      `"${text}" is in the past (${formatLocal(instant, zone.name)}; it is now ` +
        `${formatLocal(now, zone.name)}). Pick a later time, "now" or "next".`,
    );
  }
  return { kind: "at", instant };
}

/** "2026-12-01 09:00 CET": local wall clock plus the zone's abbreviation (or GMT offset). */
export function formatLocal(instant: Date, timeZone: string): string {
  const local = DateTime.fromJSDate(instant, { zone: zoneFor(timeZone) });
  if (!local.isValid) throw new RangeError("formatLocal needs a valid Date");
  return `${local.toFormat("yyyy-MM-dd HH:mm")} ${zoneAbbreviation(local)}`;
}

/**
 * Every slot instant (epoch ms) strictly after `after`, in increasing order, without end.
 * Callers bound it by count or horizon; a valid schedule has at least one slot a week.
 */
function* slotsAfter(schedule: Schedule, timeZone: string, after: Date): Generator<number> {
  const zone = zoneFor(timeZone);
  const { days, times } = checkedSchedule(schedule);
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) throw new RangeError("slots need a valid `after` Date");
  const allowedWeekdays = new Set(
    (days === "daily" ? WEEKDAYS : days).map((day) => WEEKDAYS.indexOf(day) + 1),
  );
  const minutesOfDay = times.map(minuteOfDay);

  // Calendar days are walked as UTC midnights so "+1 day" is plain calendar arithmetic; the zone
  // only enters when a wall-clock time is resolved. Start two days early: a time shifted out of
  // a gap can land after `after` even if its calendar day lies before `after`'s local day.
  const local = DateTime.fromMillis(afterMs, { zone });
  let day = DateTime.utc(local.year, local.month, local.day).minus({ days: 2 });

  // Resolved instants are not monotonic in wall-clock order (02:30 shifted to 03:30 comes after
  // a listed 03:15), but a shift is at most the gap, never more than a day in the tz database
  // (Pacific/Apia skipped all of 2011-12-30). So a slot is released only once every wall-clock
  // time up to two days later has been resolved: nothing still to come can precede it.
  let pending: { instant: number; dayStart: number }[] = [];
  let lastEmitted = afterMs;
  for (;;) {
    const dayStart = day.toMillis();
    if (allowedWeekdays.has(day.weekday)) {
      for (const minutes of minutesOfDay) {
        const instant = resolveWallClock(zone, dayStart + minutes * MINUTE_MS);
        if (instant > afterMs) pending.push({ instant, dayStart });
      }
      pending.sort((a, b) => a.instant - b.instant);
    }
    const settledBefore = dayStart - DAY_MS;
    let released = 0;
    for (const slot of pending) {
      if (slot.dayStart >= settledBefore) break;
      released += 1;
      // Equal instants (two listed times merged by a gap) are emitted once.
      if (slot.instant > lastEmitted) {
        lastEmitted = slot.instant;
        yield slot.instant;
      }
    }
    pending = pending.slice(released);
    day = day.plus({ days: 1 });
  }
}

/**
 * The instant of a wall-clock time (given as if it were UTC) in `zone`, following the DST rules
 * in the file header. Luxon's DateTime.fromObject shifts skipped times forward too, but resolves
 * a repeated time by guessing from the offset in force *today*, so its answer would depend on the
 * season the code runs in; this asks the zone for the offsets a day either side instead (as
 * Temporal does) and checks which readings of the wall clock really exist.
 */
function resolveWallClock(zone: IANAZone, wallMs: number): number {
  const offsetBefore = zone.offset(wallMs - DAY_MS);
  const offsetAfter = zone.offset(wallMs + DAY_MS);
  const occurrences: number[] = [];
  for (const offset of new Set([offsetBefore, offsetAfter])) {
    const instant = wallMs - offset * MINUTE_MS;
    if (zone.offset(instant) === offset) occurrences.push(instant);
  }
  // Repeated hour: two readings exist; the first one wins.
  if (occurrences.length > 0) return Math.min(...occurrences);
  // Skipped hour: no reading exists; reading it with the pre-transition offset moves it forward
  // by exactly the gap.
  return wallMs - offsetBefore * MINUTE_MS;
}

function parseLocalTime(text: string, zone: IANAZone): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})\s+(\d{1,2}):(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const [, year = "", month = "", day = "", hour = "", minute = ""] = match;
  const wall = DateTime.utc(Number(year), Number(month), Number(day), Number(hour), Number(minute));
  // Luxon accepts 24:00 as the next midnight; a user typing it has probably mistyped.
  if (!wall.isValid || Number(hour) > 23) {
    throw new DomainError(
      "invalid_time",
      `"${text}" is not a real date and time (check the day of the month and use 00:00–23:59). ` +
        postTimeHint(zone),
    );
  }
  return new Date(resolveWallClock(zone, wall.toMillis()));
}

function parseIsoTime(text: string, zone: IANAZone): Date | undefined {
  const match =
    /^\d{4}-\d{2}-\d{2}T(\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text);
  if (match === null) return undefined;
  if (match[2] === undefined) {
    throw new DomainError(
      "invalid_time",
      `"${text}" has no UTC offset, so it is ambiguous. Add one (e.g. ${text}+01:00 or ${text}Z), ` +
        `or write "YYYY-MM-DD HH:mm" to use the campaign's time zone (${zone.name}).`,
    );
  }
  const parsed = DateTime.fromISO(text.toUpperCase(), { setZone: true });
  if (!parsed.isValid || Number(match[1]) > 23) {
    throw new DomainError(
      "invalid_time",
      `"${text}" is not a real date and time (check the day of the month and use 00:00–23:59). ` +
        postTimeHint(zone),
    );
  }
  return parsed.toJSDate();
}

function postTimeHint(zone: IANAZone): string {
  return (
    `Use "now", "next" (the next free slot), "YYYY-MM-DD HH:mm" in the campaign's time zone ` +
    `(${zone.name}), or ISO 8601 with an offset such as 2026-12-01T09:00:00+01:00.`
  );
}

/**
 * CLDR gives English abbreviations per region ("CET" only in en-GB, "EST" in en-US, "AEDT" in
 * en-AU, "IST" in en-IN…), so the first locale that has a real abbreviation for the zone wins;
 * zones without one fall back to the GMT offset ("GMT+5:30").
 */
const ABBREVIATION_LOCALES = ["en-US", "en-GB", "en-AU", "en-NZ", "en-IN", "en-ZA"] as const;

function zoneAbbreviation(local: DateTime<true>): string {
  let fallback: string | undefined;
  for (const locale of ABBREVIATION_LOCALES) {
    const name = local.setLocale(locale).offsetNameShort;
    if (name === null) continue;
    if (!/^GMT[+-]/.test(name)) return name;
    fallback ??= name;
  }
  return fallback ?? local.toFormat("ZZ");
}

function zoneFor(timeZone: string): IANAZone {
  return IANAZone.create(assertTimeZone(timeZone));
}

/** Schedules come from parseSchedule or scheduleSchema; this guards against a hand-built one. */
function checkedSchedule(schedule: Schedule): Schedule {
  const result = scheduleSchema.safeParse(schedule);
  if (!result.success) {
    throw new DomainError(
      "invalid_schedule",
      `The schedule ${JSON.stringify(schedule)} is not valid. ${TIMES_HINT} ${DAYS_HINT}`,
    );
  }
  return result.data;
}

function normaliseDays(days: readonly Weekday[]): "daily" | Weekday[] {
  const unique = WEEKDAYS.filter((day) => days.includes(day));
  return unique.length === WEEKDAYS.length ? "daily" : unique;
}

function minuteOfDay(time: string): number {
  const [hour, minute] = time.split(":").map(Number);
  return (hour ?? 0) * 60 + (minute ?? 0);
}
