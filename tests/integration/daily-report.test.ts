import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { PrismaMetricsRepository } from "../../src/db/metrics-repository.ts";
import { PrismaReportRuns } from "../../src/db/report-run-repository.ts";
import { PrismaSettingsRepository } from "../../src/db/settings-repository.ts";
import { PrismaXAccountRepository } from "../../src/db/x-account-repository.ts";
import { systemClock } from "../../src/domain/ports.ts";
import { ReportService } from "../../src/domain/reports.ts";
import { SecretBox } from "../../src/domain/secrets.ts";
import { createLogger } from "../../src/logger.ts";
import { ClockJobs } from "../../src/scheduler/clock-jobs.ts";
import { DAILY_REPORT_JOB, DailyReport } from "../../src/scheduler/daily-report.ts";
import { GUILD, SECRET_KEY } from "../support/publishing-harness.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

const REPORT_CHANNEL = "555555555555555555";
const logger = createLogger("silent");

let db: TestDatabase;
/** What was written to the outbox: the end of each report's window, which is the tick it ran for. */
async function delivered(): Promise<string[]> {
  return (await written()).map((report) => report.to);
}
/** Which process wrote each report, by its name. */
async function deliveredBy(): Promise<string[]> {
  return (await written()).map((report) => report.by);
}
async function written(): Promise<{ to: string; by: string }[]> {
  const rows = await db.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
  return rows.map((row) => {
    expect(row).toMatchObject({ kind: "report.daily", channelId: REPORT_CHANNEL });
    return JSON.parse(JSON.parse(row.payload).content);
  });
}
/** One Herald process's daily report: its own ClockJobs, on the shared database. */
interface HeraldProcess {
  jobs: ClockJobs;
  daily: DailyReport;
}
const running: HeraldProcess[] = [];

beforeEach(async () => {
  db = createTestDatabase();
  await new PrismaSettingsRepository(db.prisma).update(
    GUILD,
    { timezone: "Europe/Berlin", reportTime: "09:00", reportChannelId: REPORT_CHANNEL },
    { actor: "test", action: "settings.updated" },
  );
});

afterEach(async () => {
  for (const process of running.splice(0)) await stopProcess(process);
  vi.useRealTimers();
  await db.close();
});

/** An instance that never holds the clock-job lock: another one runs the daily report. */
const neverLeads = { holds: async () => false, release: async () => {} };

async function startProcess(
  options: {
    name?: string;
    runsClockJobs?: boolean;
    leadership?: { holds(): Promise<boolean>; release(): Promise<void> };
  } = {},
): Promise<HeraldProcess> {
  const jobs = new ClockJobs({
    logger,
    leadership: options.leadership ?? (options.runsClockJobs === false ? neverLeads : undefined),
  });
  const settings = new PrismaSettingsRepository(db.prisma);
  const daily = new DailyReport({
    guildId: GUILD,
    jobs,
    settings,
    reports: new ReportService({
      campaigns: new PrismaCampaignRepository(db.prisma),
      accounts: new PrismaXAccountRepository(db.prisma, new SecretBox({ current: SECRET_KEY })),
      settings,
      store: new PrismaMetricsRepository(db.prisma),
      clock: systemClock,
    }),
    runs: new PrismaReportRuns(db.prisma),
    render: async (channelId, report) => [
      {
        guildId: GUILD,
        channelId,
        kind: "report.daily",
        payload: {
          content: JSON.stringify({
            to: report.window.to.toISOString(),
            by: options.name ?? "herald",
          }),
        },
      },
    ],
    clock: systemClock,
    logger,
  });
  await daily.start();
  const process = { jobs, daily };
  running.push(process);
  return process;
}

async function stopProcess(process: HeraldProcess): Promise<void> {
  const index = running.indexOf(process);
  if (index >= 0) running.splice(index, 1);
  const stopping = process.jobs.stop(1_000);
  await vi.advanceTimersByTimeAsync(1);
  await stopping;
}

/**
 * Moves the fake clock and lets the database work of the runs it fired finish (better-sqlite3
 * answers synchronously, so a few turns of the real event loop are enough).
 */
async function advanceTo(instant: string): Promise<void> {
  await vi.advanceTimersByTimeAsync(Date.parse(instant) - Date.now());
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

function fakeTime(now: string): void {
  vi.useFakeTimers({ now: new Date(now), toFake: ["Date", "setTimeout", "clearTimeout"] });
}

async function recordedDates(): Promise<string[]> {
  const rows = await db.prisma.dailyReportRun.findMany({ orderBy: { date: "asc" } });
  return rows.map((row) => row.date);
}

describe("daily report", () => {
  it("given 09:00 Europe/Berlin across the spring change, sends once a day: 08:00Z before, 07:00Z after", async () => {
    fakeTime("2026-03-27T06:00:00Z");
    await startProcess();
    await advanceTo("2026-03-31T12:00:00Z");
    expect(await delivered()).toEqual([
      "2026-03-27T08:00:00.000Z",
      "2026-03-28T08:00:00.000Z",
      "2026-03-29T07:00:00.000Z",
      "2026-03-30T07:00:00.000Z",
      "2026-03-31T07:00:00.000Z",
    ]);
    expect(await recordedDates()).toEqual([
      "2026-03-27",
      "2026-03-28",
      "2026-03-29",
      "2026-03-30",
      "2026-03-31",
    ]);
  });

  it("given 02:30 Europe/Berlin across the autumn change (02:30 happens twice), sends once that day", async () => {
    await new PrismaSettingsRepository(db.prisma).update(
      GUILD,
      { reportTime: "02:30" },
      { actor: "test", action: "settings.updated" },
    );
    fakeTime("2026-10-24T23:00:00Z");
    await startProcess();
    await advanceTo("2026-10-26T12:00:00Z");
    expect(await delivered()).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
  });

  it("given a restart ten seconds before report_time, the new process sends the report once, and a restart after it sends nothing more", async () => {
    fakeTime("2026-11-10T06:00:00Z");
    const first = await startProcess();
    await advanceTo("2026-11-10T07:59:50Z");
    await stopProcess(first);
    await advanceTo("2026-11-10T07:59:55Z");
    const second = await startProcess();
    await advanceTo("2026-11-10T08:00:30Z");
    expect(await delivered()).toEqual(["2026-11-10T08:00:00.000Z"]);

    await stopProcess(second);
    await startProcess();
    await advanceTo("2026-11-11T07:59:00Z");
    expect(await delivered()).toEqual(["2026-11-10T08:00:00.000Z"]);
    await advanceTo("2026-11-11T08:00:30Z");
    expect(await delivered()).toEqual(["2026-11-10T08:00:00.000Z", "2026-11-11T08:00:00.000Z"]);
  });

  it("given Herald down across report_time, sends that day's report once when it starts again the same day, not the day before's on a first start", async () => {
    fakeTime("2026-11-10T10:00:00Z");
    const first = await startProcess();
    // Started after 09:00 with nothing sent today: today's report goes out now, for 09:00.
    expect(await delivered()).toEqual(["2026-11-10T08:00:00.000Z"]);
    await stopProcess(first);
    await advanceTo("2026-11-11T07:00:00Z");
    await advanceTo("2026-11-11T09:30:00Z");
    await startProcess();
    expect(await delivered()).toEqual(["2026-11-10T08:00:00.000Z", "2026-11-11T08:00:00.000Z"]);
  });

  it("given report_time moved from 09:00 to 18:00 during the day, sends at 18:00 and not at 09:00 the next day", async () => {
    fakeTime("2026-11-10T06:00:00Z");
    const { daily } = await startProcess();
    await new PrismaSettingsRepository(db.prisma).update(
      GUILD,
      { reportTime: "18:00" },
      { actor: "test", action: "settings.updated" },
    );
    await daily.reschedule();
    await advanceTo("2026-11-11T12:00:00Z");
    expect(await delivered()).toEqual(["2026-11-10T17:00:00.000Z"]);
  });

  it("given report_time moved through one instance, the instance running the clock jobs sends at the new time and not the old", async () => {
    fakeTime("2026-11-10T06:00:00Z");
    const handling = await startProcess({ name: "handling", runsClockJobs: false });
    const clock = await startProcess({ name: "clock" });
    await new PrismaSettingsRepository(db.prisma).update(
      GUILD,
      { reportTime: "18:00" },
      { actor: "test", action: "settings.updated" },
    );
    // The instance that handled /settings set is told at once; the other one reads the change.
    await handling.daily.reschedule();
    await advanceTo("2026-11-10T06:05:30Z");
    expect(clock.jobs.nextRun(DAILY_REPORT_JOB)).toEqual(new Date("2026-11-10T17:00:00Z"));
    await advanceTo("2026-11-11T12:00:00Z");
    expect(await delivered()).toEqual(["2026-11-10T17:00:00.000Z"]);
    expect(await deliveredBy()).toEqual(["clock"]);
  });

  it("given report_time moved elsewhere just before the old time, the old tick sends nothing and the report goes out at the new time", async () => {
    fakeTime("2026-11-10T06:00:00Z");
    await startProcess();
    await advanceTo("2026-11-10T07:59:00Z");
    // Changed through an instance this one hears nothing from, after its last check (07:55).
    await new PrismaSettingsRepository(db.prisma).update(
      GUILD,
      { reportTime: "18:00" },
      { actor: "test", action: "settings.updated" },
    );
    await advanceTo("2026-11-10T08:01:00Z");
    expect(await delivered()).toEqual([]);
    await advanceTo("2026-11-10T17:01:00Z");
    expect(await delivered()).toEqual(["2026-11-10T17:00:00.000Z"]);
  });

  it("given report_time moved elsewhere to a minute that passes before the next check, that day's report goes out at the check, for that minute", async () => {
    await new PrismaSettingsRepository(db.prisma).update(
      GUILD,
      { reportTime: "18:00" },
      { actor: "test", action: "settings.updated" },
    );
    fakeTime("2026-11-10T06:00:00Z");
    await startProcess();
    await advanceTo("2026-11-10T10:00:30Z");
    await new PrismaSettingsRepository(db.prisma).update(
      GUILD,
      { reportTime: "11:01" },
      { actor: "test", action: "settings.updated" },
    );
    await advanceTo("2026-11-10T10:05:30Z");
    expect(await delivered()).toEqual(["2026-11-10T10:01:00.000Z"]);
    await advanceTo("2026-11-11T09:00:00Z");
    expect(await delivered()).toEqual(["2026-11-10T10:01:00.000Z"]);
    await advanceTo("2026-11-11T10:02:00Z");
    expect(await delivered()).toEqual(["2026-11-10T10:01:00.000Z", "2026-11-11T10:01:00.000Z"]);
  });

  it("given an instance that ran no clock jobs for days and takes over after report_time moved, sends no old day's report, then today's at the new time", async () => {
    await new PrismaSettingsRepository(db.prisma).update(
      GUILD,
      { reportTime: "18:00" },
      { actor: "test", action: "settings.updated" },
    );
    fakeTime("2026-11-10T06:00:00Z");
    const lock = { held: false };
    await startProcess({
      leadership: { holds: async () => lock.held, release: async () => {} },
    });
    await advanceTo("2026-11-12T06:00:30Z");
    await new PrismaSettingsRepository(db.prisma).update(
      GUILD,
      { reportTime: "09:00" },
      { actor: "test", action: "settings.updated" },
    );
    lock.held = true;
    await advanceTo("2026-11-12T06:05:30Z");
    expect(await delivered()).toEqual([]);
    await advanceTo("2026-11-12T08:00:30Z");
    expect(await delivered()).toEqual(["2026-11-12T08:00:00.000Z"]);
  });

  it("given two processes on one database at report_time, only one sends", async () => {
    fakeTime("2026-11-10T06:00:00Z");
    await startProcess();
    await startProcess();
    await advanceTo("2026-11-10T08:01:00Z");
    expect(await delivered()).toEqual(["2026-11-10T08:00:00.000Z"]);
  });
});
