import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors.ts";
import {
  assertTimeZone,
  formatLocal,
  nextFreeSlot,
  nextSlots,
  parseDays,
  parsePostTime,
  parseSchedule,
  parseTimes,
  type Schedule,
  scheduleSchema,
} from "../../src/domain/schedule.ts";

const TIMES_HINT = "HH:mm, 24-hour, comma-separated, e.g. 09:00,15:00,21:00";

/** Runs `run` and returns the DomainError it throws; anything else fails the test. */
function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, but nothing was thrown");
}

function isoSlots(schedule: Schedule, zone: string, after: string, count: number): string[] {
  return nextSlots(schedule, zone, new Date(after), count).map((slot) => slot.toISOString());
}

const daily = (...times: string[]): Schedule => ({ days: "daily", times });

describe("parseTimes", () => {
  it("given comma-separated times with stray spaces, returns them zero-padded and sorted", () => {
    expect(parseTimes("21:00, 09:00,15:00")).toEqual(["09:00", "15:00", "21:00"]);
  });

  it("given a single-digit hour, pads it to HH:mm", () => {
    expect(parseTimes("9:00")).toEqual(["09:00"]);
  });

  it("given the same time twice in different spellings, keeps it once", () => {
    expect(parseTimes("09:00,9:00, 15:00")).toEqual(["09:00", "15:00"]);
  });

  it("given midnight and the last minute of the day, accepts both", () => {
    expect(parseTimes("23:59,00:00")).toEqual(["00:00", "23:59"]);
  });

  it.each([
    ["25:00", '"25:00"'],
    ["24:00", '"24:00"'],
    ["12:60", '"12:60"'],
    ["9am", '"9am"'],
    ["0900", '"0900"'],
    ["09:00,noon", '"noon"'],
    ["", '""'],
    ["   ", '"   "'],
    ["09:00,,", '"09:00,,"'],
  ])("given %j, refuses it naming the bad piece and the expected form", (input, mention) => {
    const error = refusal(() => parseTimes(input));
    expect(error.code).toBe("invalid_schedule");
    expect(error.message).toContain(mention);
    expect(error.message).toContain(TIMES_HINT);
  });
});

describe("parseDays", () => {
  it.each([undefined, "", "  ", "daily", " Daily "])("given %j, means every day", (input) => {
    expect(parseDays(input)).toBe("daily");
  });

  it("given short names in any order and case, returns them sorted monday first", () => {
    expect(parseDays("fri, Mon,tue")).toEqual(["mon", "tue", "fri"]);
  });

  it("given full day names, maps them to short names", () => {
    expect(parseDays("Sunday,monday,WEDNESDAY")).toEqual(["mon", "wed", "sun"]);
  });

  it("given the same day twice, keeps it once", () => {
    expect(parseDays("mon,monday")).toEqual(["mon"]);
  });

  it("given all seven days, collapses them to daily", () => {
    expect(parseDays("sun,sat,fri,thu,wed,tue,monday")).toBe("daily");
  });

  it.each([
    ["funday", '"funday"'],
    ["mon,funday", '"funday"'],
    ["mon tue", '"mon tue"'],
    ["daily,mon", '"daily"'],
    ["mon,,tue", '"mon,,tue"'],
  ])("given %j, refuses it naming the unknown piece", (input, mention) => {
    const error = refusal(() => parseDays(input));
    expect(error.code).toBe("invalid_schedule");
    expect(error.message).toContain(mention);
    expect(error.message).toContain('"daily"');
    expect(error.message).toContain("mon,wed,fri");
  });
});

describe("assertTimeZone", () => {
  it.each([
    ["Europe/Berlin", "Europe/Berlin"],
    ["UTC", "UTC"],
    ["europe/berlin", "Europe/Berlin"],
    ["US/Eastern", "America/New_York"],
  ])("given %j, returns the canonical name %j", (input, canonical) => {
    expect(assertTimeZone(input)).toBe(canonical);
  });

  it("given an unknown zone, refuses it with an IANA example", () => {
    const error = refusal(() => assertTimeZone("Mars/Base"));
    expect(error.code).toBe("invalid_timezone");
    expect(error.message).toBe(
      'Unknown time zone "Mars/Base". Use an IANA name such as Europe/Berlin or America/New_York.',
    );
  });

  it.each(["", "+01:00", "CET+1", "local"])("given %j, refuses it", (input) => {
    const error = refusal(() => assertTimeZone(input));
    expect(error.code).toBe("invalid_timezone");
    expect(error.message).toContain(`"${input}"`);
  });
});

describe("parseSchedule", () => {
  it("given times and days, returns a normalised schedule", () => {
    expect(parseSchedule({ times: "15:00, 9:00", days: "fri,mon" })).toEqual({
      days: ["mon", "fri"],
      times: ["09:00", "15:00"],
    });
  });

  it("given no days, schedules every day", () => {
    expect(parseSchedule({ times: "09:00" })).toEqual({ days: "daily", times: ["09:00"] });
  });

  it("given bad times, refuses with invalid_schedule", () => {
    expect(refusal(() => parseSchedule({ times: "9am", days: "mon" })).code).toBe(
      "invalid_schedule",
    );
  });
});

describe("scheduleSchema", () => {
  it("given stored JSON in canonical form, returns it unchanged", () => {
    const stored = { days: ["mon", "thu"], times: ["09:00", "21:00"] };
    expect(scheduleSchema.parse(stored)).toEqual(stored);
  });

  it("given a hand-edited row with unsorted duplicates, normalises it", () => {
    const stored = { days: ["sun", "mon", "mon"], times: ["21:00", "09:00", "21:00"] };
    expect(scheduleSchema.parse(stored)).toEqual({
      days: ["mon", "sun"],
      times: ["09:00", "21:00"],
    });
  });

  it.each([
    { days: [], times: ["09:00"] },
    { days: "weekly", times: ["09:00"] },
    { days: ["funday"], times: ["09:00"] },
    { days: "daily", times: [] },
    { days: "daily", times: ["9:00"] },
    { days: "daily", times: ["24:00"] },
    { days: "daily" },
    null,
  ])("given the malformed stored value %j, refuses it", (stored) => {
    expect(scheduleSchema.safeParse(stored).success).toBe(false);
  });
});

describe("nextSlots", () => {
  it("given a daily UTC schedule, returns the next slots in order across midnight", () => {
    expect(isoSlots(daily("09:00", "15:00", "21:00"), "UTC", "2026-06-01T10:00:00Z", 4)).toEqual([
      "2026-06-01T15:00:00.000Z",
      "2026-06-01T21:00:00.000Z",
      "2026-06-02T09:00:00.000Z",
      "2026-06-02T15:00:00.000Z",
    ]);
  });

  it("given `after` exactly on a slot, starts with the following slot", () => {
    expect(isoSlots(daily("09:00", "15:00"), "UTC", "2026-06-01T15:00:00Z", 1)).toEqual([
      "2026-06-02T09:00:00.000Z",
    ]);
  });

  it("given Europe/Berlin, applies CEST in summer and CET in winter", () => {
    expect(isoSlots(daily("09:00"), "Europe/Berlin", "2026-06-01T10:00:00Z", 1)).toEqual([
      "2026-06-02T07:00:00.000Z",
    ]);
    expect(isoSlots(daily("09:00"), "Europe/Berlin", "2026-12-01T10:00:00Z", 1)).toEqual([
      "2026-12-02T08:00:00.000Z",
    ]);
  });

  it("given weekdays only, skips the other days (2026-06-01 is a Monday)", () => {
    const schedule: Schedule = { days: ["mon", "wed", "fri"], times: ["10:00"] };
    expect(isoSlots(schedule, "UTC", "2026-06-01T00:00:00Z", 4)).toEqual([
      "2026-06-01T10:00:00.000Z",
      "2026-06-03T10:00:00.000Z",
      "2026-06-05T10:00:00.000Z",
      "2026-06-08T10:00:00.000Z",
    ]);
  });

  it("given Australia/Sydney, checks the weekday in local time (Monday 08:00 is Sunday in UTC)", () => {
    const schedule: Schedule = { days: ["mon"], times: ["08:00"] };
    expect(isoSlots(schedule, "Australia/Sydney", "2026-06-01T00:00:00Z", 2)).toEqual([
      "2026-06-07T22:00:00.000Z",
      "2026-06-14T22:00:00.000Z",
    ]);
  });

  it("given a slot in Berlin's skipped hour (2026-03-29 02:30), fires at 03:30 CEST", () => {
    expect(isoSlots(daily("02:30"), "Europe/Berlin", "2026-03-28T12:00:00Z", 3)).toEqual([
      "2026-03-29T01:30:00.000Z",
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("given 02:30 and 03:30 on Berlin's spring-forward day, fires once at 03:30 CEST", () => {
    expect(isoSlots(daily("02:30", "03:30"), "Europe/Berlin", "2026-03-28T12:00:00Z", 3)).toEqual([
      "2026-03-29T01:30:00.000Z",
      "2026-03-30T00:30:00.000Z",
      "2026-03-30T01:30:00.000Z",
    ]);
  });

  it("given 02:30 shifted past a listed 03:15 on spring-forward day, keeps the output increasing", () => {
    expect(isoSlots(daily("02:30", "03:15"), "Europe/Berlin", "2026-03-28T12:00:00Z", 3)).toEqual([
      "2026-03-29T01:15:00.000Z",
      "2026-03-29T01:30:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
  });

  it("given a slot in Berlin's repeated hour (2026-10-25 02:30), fires once at +02:00", () => {
    expect(isoSlots(daily("02:30"), "Europe/Berlin", "2026-10-24T12:00:00Z", 2)).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  it("given `after` between the two 02:30s of Berlin's repeated hour, does not fire the second", () => {
    expect(isoSlots(daily("02:30"), "Europe/Berlin", "2026-10-25T00:45:00Z", 1)).toEqual([
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  it("given a slot in New York's skipped hour (2026-03-08 02:30), fires at 03:30 EDT", () => {
    expect(isoSlots(daily("02:30"), "America/New_York", "2026-03-07T12:00:00Z", 2)).toEqual([
      "2026-03-08T07:30:00.000Z",
      "2026-03-09T06:30:00.000Z",
    ]);
  });

  it("given a slot in New York's repeated hour (2026-11-01 01:30), fires once at 01:30 EDT", () => {
    expect(isoSlots(daily("01:30"), "America/New_York", "2026-10-31T12:00:00Z", 2)).toEqual([
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
    expect(isoSlots(daily("01:30"), "America/New_York", "2026-11-01T05:45:00Z", 1)).toEqual([
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("given Pacific/Apia's skipped 2011-12-30, fires that day's slots once, on 2011-12-31", () => {
    expect(isoSlots(daily("02:30", "23:30"), "Pacific/Apia", "2011-12-29T10:00:00Z", 5)).toEqual([
      "2011-12-29T12:30:00.000Z", // Thu 29th 02:30 -10:00
      "2011-12-30T09:30:00.000Z", // Thu 29th 23:30 -10:00
      "2011-12-30T12:30:00.000Z", // Sat 31st 02:30 +14:00 (also the shifted 30th 02:30)
      "2011-12-31T09:30:00.000Z", // Sat 31st 23:30 +14:00 (also the shifted 30th 23:30)
      "2011-12-31T12:30:00.000Z", // Sun 1st 02:30 +14:00
    ]);
  });

  it("given a count of zero, returns no slots", () => {
    expect(nextSlots(daily("09:00"), "UTC", new Date("2026-06-01T00:00:00Z"), 0)).toEqual([]);
  });

  it("given an unknown zone, refuses with invalid_timezone", () => {
    const error = refusal(() => nextSlots(daily("09:00"), "Mars/Base", new Date(), 1));
    expect(error.code).toBe("invalid_timezone");
  });

  it("given a hand-built schedule with a malformed time, refuses with invalid_schedule", () => {
    const error = refusal(() => nextSlots(daily("9am"), "UTC", new Date(), 1));
    expect(error.code).toBe("invalid_schedule");
    expect(error.message).toContain("9am");
  });
});

describe("nextFreeSlot", () => {
  const schedule = daily("09:00", "15:00");
  const after = new Date("2026-06-01T00:00:00Z");

  it("given nothing taken, returns the first slot", () => {
    expect(nextFreeSlot(schedule, "UTC", after, []).toISOString()).toBe("2026-06-01T09:00:00.000Z");
  });

  it("given the first two slots taken, returns the third", () => {
    const taken = nextSlots(schedule, "UTC", after, 2);
    expect(nextFreeSlot(schedule, "UTC", after, taken).toISOString()).toBe(
      "2026-06-02T09:00:00.000Z",
    );
  });

  it("given taken instants that are not slots, ignores them", () => {
    const taken = [new Date("2026-06-01T09:00:00.001Z"), new Date("2026-06-01T12:00:00Z")];
    expect(nextFreeSlot(schedule, "UTC", after, taken).toISOString()).toBe(
      "2026-06-01T09:00:00.000Z",
    );
  });

  it("given every slot of the next 366 days taken, refuses with no_free_slot", () => {
    const weekly: Schedule = { days: ["mon"], times: ["09:00"] };
    const taken = nextSlots(weekly, "Europe/Berlin", after, 60);
    const error = refusal(() => nextFreeSlot(weekly, "Europe/Berlin", after, taken));
    expect(error.code).toBe("no_free_slot");
    expect(error.message).toContain("366 days");
  });
});

describe("parsePostTime", () => {
  const now = new Date("2026-06-01T12:00:00Z");
  const newYear = new Date("2026-01-01T00:00:00Z");
  const at = (input: string, zone = "Europe/Berlin", current = now) => {
    const request = parsePostTime(input, zone, current);
    return request.kind === "at" ? request.instant.toISOString() : request.kind;
  };

  it.each([undefined, "", "now", " NOW "])("given %j, posts now", (input) => {
    expect(parsePostTime(input, "Europe/Berlin", now)).toEqual({ kind: "now" });
  });

  it.each(["next", "Next"])("given %j, asks for the next free slot", (input) => {
    expect(parsePostTime(input, "Europe/Berlin", now)).toEqual({ kind: "next" });
  });

  it("given YYYY-MM-DD HH:mm, reads it in the campaign's zone", () => {
    expect(at("2026-12-01 09:00")).toBe("2026-12-01T08:00:00.000Z");
    expect(at("2026-07-01 9:00")).toBe("2026-07-01T07:00:00.000Z");
    expect(at("2026-12-01 09:00", "America/New_York")).toBe("2026-12-01T14:00:00.000Z");
  });

  it("given a local time in Berlin's skipped hour, moves it forward to 03:30 CEST", () => {
    expect(at("2026-03-29 02:30", "Europe/Berlin", newYear)).toBe("2026-03-29T01:30:00.000Z");
  });

  it("given a local time in New York's skipped hour, moves it forward to 03:30 EDT", () => {
    expect(at("2026-03-08 02:30", "America/New_York", newYear)).toBe("2026-03-08T07:30:00.000Z");
  });

  it("given a local time in Berlin's repeated hour, picks the earlier instant", () => {
    expect(at("2026-10-25 02:30")).toBe("2026-10-25T00:30:00.000Z");
  });

  it("given ISO 8601 with an offset or Z, uses that instant whatever the campaign's zone", () => {
    expect(at("2026-12-01T09:00:00+01:00")).toBe("2026-12-01T08:00:00.000Z");
    expect(at("2026-12-01T09:00Z", "America/New_York")).toBe("2026-12-01T09:00:00.000Z");
    expect(at("2026-12-01t09:00:00.250-0500")).toBe("2026-12-01T14:00:00.250Z");
  });

  it("given a time 30 seconds ago, accepts it as a late 'now'", () => {
    expect(at("2026-06-01T11:59:30Z")).toBe("2026-06-01T11:59:30.000Z");
  });

  it.each([
    ["2026-06-01T11:58:00Z", '"2026-06-01T11:58:00Z" is in the past'],
    ["2025-12-01 09:00", '"2025-12-01 09:00" is in the past'],
  ])("given %j, refuses it as in the past", (input, message) => {
    const error = refusal(() => at(input));
    expect(error.code).toBe("invalid_time");
    expect(error.message).toContain(message);
  });

  it("given ISO 8601 without an offset, refuses it as ambiguous", () => {
    const error = refusal(() => at("2026-12-01T09:00:00"));
    expect(error.code).toBe("invalid_time");
    expect(error.message).toContain('"2026-12-01T09:00:00" has no UTC offset');
    expect(error.message).toContain("YYYY-MM-DD HH:mm");
  });

  it.each([
    "2026-02-30 09:00",
    "2026-02-30T09:00:00Z",
    "2026-12-01 24:00",
    "2026-12-01 09:60",
    "2026-13-01T09:00:00+01:00",
  ])("given the impossible date or time %j, refuses it", (input) => {
    const error = refusal(() => at(input));
    expect(error.code).toBe("invalid_time");
    expect(error.message).toContain(`"${input}"`);
    expect(error.message).toContain("not a real date and time");
  });

  it.each(["tomorrow", "12/01/2026 09:00", "2026-12-01", "09:00", "in 2 hours"])(
    "given the unsupported form %j, refuses it listing the accepted forms",
    (input) => {
      const error = refusal(() => at(input));
      expect(error.code).toBe("invalid_time");
      expect(error.message).toContain(`"${input}"`);
      for (const form of ['"now"', '"next"', '"YYYY-MM-DD HH:mm"', "2026-12-01T09:00:00+01:00"]) {
        expect(error.message).toContain(form);
      }
    },
  );

  it("given an unknown campaign zone, refuses with invalid_timezone", () => {
    expect(refusal(() => parsePostTime("now", "Mars/Base", now)).code).toBe("invalid_timezone");
  });
});

describe("formatLocal", () => {
  it.each([
    ["2026-12-01T08:00:00Z", "Europe/Berlin", "2026-12-01 09:00 CET"],
    ["2026-07-01T08:00:00Z", "Europe/Berlin", "2026-07-01 10:00 CEST"],
    ["2026-12-01T14:00:00Z", "America/New_York", "2026-12-01 09:00 EST"],
    ["2026-12-01T08:00:00Z", "UTC", "2026-12-01 08:00 UTC"],
    ["2026-12-01T08:00:00Z", "Australia/Sydney", "2026-12-01 19:00 AEDT"],
    ["2026-12-01T08:00:00Z", "Asia/Tokyo", "2026-12-01 17:00 GMT+9"],
  ])("given %s in %s, shows %j", (instant, zone, expected) => {
    expect(formatLocal(new Date(instant), zone)).toBe(expected);
  });
});
