import { Writable } from "node:stream";
import { RecurrenceRule } from "node-schedule";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isDomainError } from "../../src/domain/errors.ts";
import { createLogger } from "../../src/logger.ts";
import { type ClockJob, ClockJobs, type ClockRule } from "../../src/scheduler/clock-jobs.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface LogRecord {
  level: number;
  msg: string;
  job?: string;
  firedAt?: string;
  jobs?: string[];
  err?: { message: string };
}

const WARN = 40;
const ERROR = 50;

let current: ClockJobs | undefined;

/** Fake timers from `now`, and a ClockJobs whose log lines the test can read. */
function setup(now: string): { jobs: ClockJobs; records: LogRecord[] } {
  vi.useFakeTimers({ now: new Date(now) });
  const records: LogRecord[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        if (line !== "") records.push(JSON.parse(line) as LogRecord);
      }
      done();
    },
  });
  current = new ClockJobs({ logger: createLogger("debug", stream) });
  return { jobs: current, records };
}

afterEach(async () => {
  if (current !== undefined) {
    const stopping = current.stop(1);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    current = undefined;
    // Nothing node-schedule or a test armed may outlive the test.
    expect(vi.getTimerCount()).toBe(0);
  }
  vi.useRealTimers();
});

async function advanceTo(instant: string): Promise<void> {
  await vi.advanceTimersByTimeAsync(Date.parse(instant) - Date.now());
}

/** Fake-timer sleep: only moves when the test advances time. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A job that records when it ran (the wall clock) and which tick it ran for (`firedAt`). */
function recordingJob(name: string, rule: ClockRule) {
  const ranAt: string[] = [];
  const firedAt: string[] = [];
  const job: ClockJob = {
    name,
    rule,
    run: async (fired) => {
      ranAt.push(new Date().toISOString());
      firedAt.push(fired.toISOString());
    },
  };
  return { job, ranAt, firedAt };
}

const berlin = (time: string): ClockRule => ({ kind: "daily", time, timeZone: "Europe/Berlin" });
const hourly: ClockRule = { kind: "every", minutes: 60 };

describe("ClockJobs daily jobs across daylight-saving changes", () => {
  it("given 09:00 Europe/Berlin from 2026-03-27 to 03-31, runs once a day: 08:00Z before the spring change, 07:00Z after", async () => {
    const { jobs } = setup("2026-03-27T00:00:00Z");
    const report = recordingJob("daily-report", berlin("09:00"));
    jobs.add(report.job);

    await advanceTo("2026-03-31T23:59:00Z");

    const expected = [
      "2026-03-27T08:00:00.000Z",
      "2026-03-28T08:00:00.000Z",
      "2026-03-29T07:00:00.000Z",
      "2026-03-30T07:00:00.000Z",
      "2026-03-31T07:00:00.000Z",
    ];
    expect(report.ranAt).toEqual(expected);
    expect(report.firedAt).toEqual(expected);
    expect(jobs.nextRun("daily-report")).toEqual(new Date("2026-04-01T07:00:00Z"));
  });

  it("given 09:00 Europe/Berlin from 2026-10-23 to 10-27, runs once a day: 07:00Z before the autumn change, 08:00Z after", async () => {
    const { jobs } = setup("2026-10-23T00:00:00Z");
    const report = recordingJob("daily-report", berlin("09:00"));
    jobs.add(report.job);

    await advanceTo("2026-10-27T23:59:00Z");

    expect(report.ranAt).toEqual([
      "2026-10-23T07:00:00.000Z",
      "2026-10-24T07:00:00.000Z",
      "2026-10-25T08:00:00.000Z",
      "2026-10-26T08:00:00.000Z",
      "2026-10-27T08:00:00.000Z",
    ]);
  });

  it("given 02:30 Europe/Berlin, on spring-forward day (no 02:30 exists) runs once at 03:30 CEST, the gap-shifted time", async () => {
    const { jobs } = setup("2026-03-27T12:00:00Z");
    const report = recordingJob("daily-report", berlin("02:30"));
    jobs.add(report.job);

    await advanceTo("2026-03-28T12:00:00Z");
    // Armed for the shifted instant, the same UTC instant as the day before.
    expect(jobs.nextRun("daily-report")).toEqual(new Date("2026-03-29T01:30:00Z"));
    await advanceTo("2026-03-31T12:00:00Z");

    expect(report.ranAt).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:30:00.000Z", // 03:30 CEST: 02:30 was skipped that night
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("given 02:30 Europe/Berlin, on fall-back day (02:30 happens twice) runs once, at the first 02:30 (CEST)", async () => {
    const { jobs } = setup("2026-10-23T12:00:00Z");
    const report = recordingJob("daily-report", berlin("02:30"));
    jobs.add(report.job);

    await advanceTo("2026-10-27T12:00:00Z");

    expect(report.ranAt).toEqual([
      "2026-10-24T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T00:30:00.000Z", // first 02:30 (CEST); the second, 01:30Z, does not run
      "2026-10-26T01:30:00.000Z", // 02:30 CET
      "2026-10-27T01:30:00.000Z",
    ]);
  });

  it("pins why ClockJobs does not use node-schedule's RecurrenceRule with tz: it is right at 09:00 but skips 02:30 on spring-forward day and repeats it on fall-back day", () => {
    const occurrences = (time: string, from: string, count: number): string[] => {
      const [hour, minute] = time.split(":").map(Number);
      const rule = new RecurrenceRule();
      rule.hour = hour ?? 0;
      rule.minute = minute ?? 0;
      rule.tz = "Europe/Berlin";
      const out: string[] = [];
      let after = new Date(from);
      for (let i = 0; i < count; i += 1) {
        after = rule.nextInvocationDate(after);
        out.push(after.toISOString());
      }
      return out;
    };

    expect(occurrences("09:00", "2026-03-28T00:00:00Z", 2)).toEqual([
      "2026-03-28T08:00:00.000Z",
      "2026-03-29T07:00:00.000Z",
    ]);
    expect(occurrences("02:30", "2026-03-28T00:00:00Z", 2)).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-30T00:30:00.000Z", // nothing on 2026-03-29
    ]);
    expect(occurrences("02:30", "2026-10-24T12:00:00Z", 3)).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-25T01:30:00.000Z", // the repeated 02:30 matches again
      "2026-10-26T01:30:00.000Z",
    ]);
  });
});

describe("ClockJobs every-N-minutes jobs", () => {
  it("given an every-60-minutes job, runs on each UTC hour, the spring change included", async () => {
    const { jobs } = setup("2026-03-29T00:20:00Z");
    const sync = recordingJob("metrics-sync", hourly);
    jobs.add(sync.job);

    await advanceTo("2026-03-29T05:30:00Z");

    expect(sync.ranAt).toEqual([
      "2026-03-29T01:00:00.000Z",
      "2026-03-29T02:00:00.000Z",
      "2026-03-29T03:00:00.000Z",
      "2026-03-29T04:00:00.000Z",
      "2026-03-29T05:00:00.000Z",
    ]);
    expect(jobs.nextRun("metrics-sync")).toEqual(new Date("2026-03-29T06:00:00Z"));
  });
});

describe("ClockJobs runs", () => {
  it("given a run that outlasts the next tick, skips that tick with a warning instead of overlapping", async () => {
    const { jobs, records } = setup("2026-06-01T00:30:00Z");
    const started: string[] = [];
    jobs.add({
      name: "metrics-sync",
      rule: hourly,
      run: async () => {
        started.push(new Date().toISOString());
        await sleep(90 * MINUTE);
      },
    });

    await advanceTo("2026-06-01T04:31:00Z");

    expect(started).toEqual(["2026-06-01T01:00:00.000Z", "2026-06-01T03:00:00.000Z"]);
    const skipped = records.filter((record) => record.level === WARN);
    expect(skipped.map((record) => [record.job, record.firedAt])).toEqual([
      ["metrics-sync", "2026-06-01T02:00:00.000Z"],
      ["metrics-sync", "2026-06-01T04:00:00.000Z"],
    ]);
    expect(skipped[0]?.msg).toMatch(/still running/);
  });

  it("given runNow twice during a run, runs at once, then exactly once more after the run in progress", async () => {
    const { jobs } = setup("2026-06-01T00:30:00Z");
    const started: string[] = [];
    jobs.add({
      name: "autopilot",
      rule: hourly,
      run: async () => {
        started.push(new Date().toISOString());
        await sleep(10 * MINUTE);
      },
    });

    expect(jobs.runNow("autopilot")).toBe(true);
    await advanceTo("2026-06-01T00:32:00Z");
    jobs.runNow("autopilot");
    jobs.runNow("autopilot");
    await advanceTo("2026-06-01T00:55:00Z");

    expect(started).toEqual(["2026-06-01T00:30:00.000Z", "2026-06-01T00:40:00.000Z"]);
    expect(jobs.runNow("no-such-job")).toBe(false);
  });

  it("given a run that throws, logs the error with the job name and still runs the next tick", async () => {
    const { jobs, records } = setup("2026-06-01T00:30:00Z");
    let calls = 0;
    jobs.add({
      name: "metrics-sync",
      rule: hourly,
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error("X is down");
      },
    });

    await advanceTo("2026-06-01T02:30:00Z");

    expect(calls).toBe(2);
    const failures = records.filter((record) => record.level === ERROR);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      job: "metrics-sync",
      firedAt: "2026-06-01T01:00:00.000Z",
      err: { message: "X is down" },
    });
    expect(records.filter((record) => record.msg === "clock job finished")).toMatchObject([
      { job: "metrics-sync", firedAt: "2026-06-01T02:00:00.000Z" },
    ]);
  });

  it("given a run in flight, stop() waits for it to finish and no tick fires afterwards", async () => {
    const { jobs } = setup("2026-06-01T00:50:00Z");
    const finished: string[] = [];
    let runs = 0;
    jobs.add({
      name: "metrics-sync",
      rule: hourly,
      run: async () => {
        runs += 1;
        await sleep(30 * MINUTE);
        finished.push(new Date().toISOString());
      },
    });
    await advanceTo("2026-06-01T01:10:00Z");

    let stopped = false;
    const stopping = jobs.stop(HOUR).then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    expect(jobs.nextRun("metrics-sync")).toBeNull();

    await advanceTo("2026-06-01T01:30:00Z");
    await stopping;
    expect(finished).toEqual(["2026-06-01T01:30:00.000Z"]);

    await advanceTo("2026-06-01T06:00:00Z");
    expect(runs).toBe(1);
    expect(() => jobs.add({ name: "late", rule: hourly, run: async () => {} })).toThrow(/stopped/);
  });

  it("given a run that never finishes, stop() gives up after its timeout and names the job", async () => {
    const { jobs, records } = setup("2026-06-01T00:59:00Z");
    jobs.add({ name: "metrics-sync", rule: hourly, run: () => new Promise<void>(() => {}) });
    await advanceTo("2026-06-01T01:00:00Z");

    let stopped = false;
    const stopping = jobs.stop(5_000).then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;

    expect(records.filter((record) => record.level === WARN)).toMatchObject([
      { jobs: ["metrics-sync"], timeoutMs: 5_000 },
    ]);
  });
});

describe("ClockJobs registry", () => {
  it("refuses a time of 25:00, the zone Mars/Base and a duplicate name, and schedules nothing for them", () => {
    const { jobs } = setup("2026-06-01T00:00:00Z");
    const run = async () => {};

    const refusal = (job: ClockJob): unknown => {
      try {
        jobs.add(job);
      } catch (error) {
        return error;
      }
      return undefined;
    };

    const badTime = refusal({ name: "a", rule: berlin("25:00"), run });
    expect(isDomainError(badTime, "invalid_time")).toBe(true);
    expect((badTime as Error).message).toContain('"25:00" is not a time of day');

    const badZone = refusal({
      name: "b",
      rule: { kind: "daily", time: "09:00", timeZone: "Mars/Base" },
      run,
    });
    expect(isDomainError(badZone, "invalid_timezone")).toBe(true);
    expect((badZone as Error).message).toContain('Unknown time zone "Mars/Base"');

    const unevenCadence = refusal({ name: "c", rule: { kind: "every", minutes: 7 }, run });
    expect(unevenCadence).toBeInstanceOf(RangeError);

    expect(jobs.nextRun("a")).toBeNull();
    expect(jobs.nextRun("b")).toBeNull();
    expect(jobs.nextRun("c")).toBeNull();

    jobs.add({ name: "daily-report", rule: berlin("09:00"), run });
    expect(() => jobs.add({ name: "daily-report", rule: berlin("18:00"), run })).toThrow(
      /already exists/,
    );
    expect(jobs.nextRun("daily-report")).toEqual(new Date("2026-06-01T07:00:00Z"));
  });

  it("given a daily job moved from 09:00 to 18:00 by replace(), runs at 18:00 only; a refused replacement keeps 18:00", async () => {
    const { jobs } = setup("2026-06-01T00:00:00Z");
    const report = recordingJob("daily-report", berlin("09:00"));
    jobs.add(report.job);
    expect(jobs.nextRun("daily-report")).toEqual(new Date("2026-06-01T07:00:00Z"));

    jobs.replace({ ...report.job, rule: berlin("18:00") });
    expect(jobs.nextRun("daily-report")).toEqual(new Date("2026-06-01T16:00:00Z"));
    expect(() => jobs.replace({ ...report.job, rule: berlin("24:00") })).toThrow(/time of day/);
    expect(jobs.nextRun("daily-report")).toEqual(new Date("2026-06-01T16:00:00Z"));

    await advanceTo("2026-06-02T23:59:00Z");

    expect(report.ranAt).toEqual(["2026-06-01T16:00:00.000Z", "2026-06-02T16:00:00.000Z"]);
  });

  it("given a removed job, its ticks no longer fire", async () => {
    const { jobs } = setup("2026-06-01T00:30:00Z");
    const sync = recordingJob("metrics-sync", hourly);
    jobs.add(sync.job);
    await advanceTo("2026-06-01T01:30:00Z");

    expect(jobs.remove("metrics-sync")).toBe(true);
    expect(jobs.remove("metrics-sync")).toBe(false);
    await advanceTo("2026-06-01T05:00:00Z");

    expect(sync.ranAt).toEqual(["2026-06-01T01:00:00.000Z"]);
    expect(jobs.nextRun("metrics-sync")).toBeNull();
  });
});
