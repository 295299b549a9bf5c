/**
 * The daily report (design.md section 5): at the guild's report_time, in its time zone, the last
 * 24 hours' report goes to the report channel. ClockJobs fires the instant (one per local day,
 * across daylight-saving changes); the database decides whether it runs: a DailyReportRun row per
 * local date is claimed in the transaction that writes the report to the outbox, so a restart, a
 * second instance or a replayed tick never sends a day twice, and a report once claimed reaches
 * the channel even through a Discord outage or a crash. A start after today's time with today not
 * yet sent sends it then (a restart across report_time loses nothing); a first start never
 * reports on the day before.
 *
 * Every instance reads the settings when it uses them, so a report_time or time zone changed
 * through another instance sharing the database moves the report here too: a frequent check
 * (DAILY_REPORT_FOLLOW_JOB) reschedules when the stored time differs from the scheduled one,
 * and a tick that fires at a time the settings no longer name sends nothing and reschedules
 * (it may come from a schedule the check had not caught up with yet). A new time that passed
 * between two checks is sent at the second, for that time, so it is not lost for the day. On the
 * instance that saved the change, a time already past takes effect the next day.
 */
import { localDate } from "../domain/analytics.ts";
import type { ReportRuns } from "../domain/clock-job-ports.ts";
import type { OutboxDraft } from "../domain/outbox.ts";
import type { Clock } from "../domain/ports.ts";
import type { Report, ReportService } from "../domain/reports.ts";
import { nextSlots } from "../domain/schedule.ts";
import type { GuildSettings } from "../domain/settings.ts";
import type { Logger } from "../logger.ts";
import type { ClockJobs } from "./clock-jobs.ts";

export const DAILY_REPORT_JOB = "daily-report";
export const DAILY_REPORT_FOLLOW_JOB = "daily-report-follow";
/**
 * How often every instance compares the stored report time with its schedule: a change made
 * elsewhere reaches the report within this, and costs one settings read per period.
 */
export const FOLLOW_EVERY_MINUTES = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DailyReportDeps {
  guildId: string;
  jobs: ClockJobs;
  settings: { get(guildId: string): Promise<GuildSettings> };
  reports: Pick<ReportService, "daily">;
  runs: ReportRuns;
  /** The report as messages for the channel (rendered outside the scheduler). */
  render(channelId: string, report: Report): Promise<OutboxDraft[]>;
  /** Told after a report was written, once committed, so the outbox delivers it. */
  onQueued?: () => void;
  clock: Clock;
  logger: Logger;
}

type ReportSchedule = Pick<GuildSettings, "reportTime" | "timezone">;

export class DailyReport {
  /** What the job is scheduled for on this instance. */
  private scheduled: ReportSchedule | null = null;
  /** When this instance last compared its schedule with the stored settings. */
  private lookedAt: Date = new Date(0);

  constructor(private readonly deps: DailyReportDeps) {}

  /**
   * Schedules the job from the saved settings, sends today's report if its time has passed, and
   * starts following changes made through other instances.
   */
  async start(): Promise<void> {
    const settings = await this.deps.settings.get(this.deps.guildId);
    this.schedule(settings);
    this.deps.jobs.replace({
      name: DAILY_REPORT_FOLLOW_JOB,
      rule: { kind: "every", minutes: FOLLOW_EVERY_MINUTES },
      run: () => this.follow(),
    });
    const now = this.deps.clock.now();
    const [today] = nextSlots(
      { days: "daily", times: [settings.reportTime] },
      settings.timezone,
      new Date(now.getTime() - DAY_MS),
      2,
    ).filter(
      (slot) =>
        slot.getTime() <= now.getTime() &&
        localDate(slot, settings.timezone) === localDate(now, settings.timezone),
    );
    if (today === undefined) return;
    // A report that cannot be made now must not keep the service from starting.
    await this.run(today).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, "today's daily report could not be sent at start");
    });
  }

  /** Picks up a changed report_time or time zone saved through this instance. */
  async reschedule(): Promise<void> {
    this.schedule(await this.deps.settings.get(this.deps.guildId));
  }

  /**
   * Reschedules when the stored report time or time zone differs from the schedule here (changed
   * through another instance). A new time that passed since the last look is sent now, for that
   * time: had this instance known the change at once, it would have sent it then.
   */
  async follow(): Promise<void> {
    const since = this.lookedAt;
    const settings = await this.deps.settings.get(this.deps.guildId);
    if (this.scheduled !== null && sameSchedule(this.scheduled, settings)) {
      this.lookedAt = this.deps.clock.now();
      return;
    }
    this.deps.logger.info(
      { reportTime: settings.reportTime, timezone: settings.timezone },
      "report time changed elsewhere; the daily report follows",
    );
    this.schedule(settings);
    const [passed] = nextSlots(
      { days: "daily", times: [settings.reportTime] },
      settings.timezone,
      since,
      1,
    ).filter(
      // Today's only: an instance that did not run clock jobs for days last looked long ago.
      (slot) =>
        slot.getTime() <= this.lookedAt.getTime() &&
        localDate(slot, settings.timezone) === localDate(this.lookedAt, settings.timezone),
    );
    if (passed !== undefined) await this.run(passed);
  }

  /**
   * Writes the report for the local day of `firedAt` to the outbox, unless that day's report was
   * written already. The report is made before the claim (the claim and its messages commit
   * together), after a cheap look that spares making it for a day already sent.
   */
  async run(firedAt: Date): Promise<"queued" | "already_sent" | "no_channel"> {
    const { guildId, logger } = this.deps;
    const settings = await this.deps.settings.get(guildId);
    const date = localDate(firedAt, settings.timezone);
    if (settings.reportChannelId === null) {
      logger.warn({ date }, "no report channel set; the daily report was not sent");
      return "no_channel";
    }
    if (!(await this.deps.runs.ran(guildId, date))) {
      const report = await this.deps.reports.daily(guildId, firedAt);
      const messages = await this.deps.render(settings.reportChannelId, report);
      if (await this.deps.runs.claim(guildId, date, this.deps.clock.now(), messages)) {
        logger.info({ date }, "daily report written to the outbox");
        this.deps.onQueued?.();
        return "queued";
      }
    }
    logger.info({ date }, "the daily report for this date was already sent");
    return "already_sent";
  }

  /** A tick of the schedule: a report, unless the settings name another time by now. */
  private async tick(firedAt: Date): Promise<void> {
    const settings = await this.deps.settings.get(this.deps.guildId);
    if (!isReportInstant(firedAt, settings)) {
      // Fired by a schedule older than the settings, changed through another instance since
      // this one last looked.
      this.deps.logger.info({ firedAt }, "report time changed; this tick sends nothing");
      await this.follow();
      return;
    }
    await this.run(firedAt);
  }

  private schedule(settings: GuildSettings): void {
    this.deps.jobs.replace({
      name: DAILY_REPORT_JOB,
      rule: { kind: "daily", time: settings.reportTime, timeZone: settings.timezone },
      run: (firedAt) => this.tick(firedAt),
    });
    this.scheduled = { reportTime: settings.reportTime, timezone: settings.timezone };
    this.lookedAt = this.deps.clock.now();
  }
}

function sameSchedule(a: ReportSchedule, b: ReportSchedule): boolean {
  return a.reportTime === b.reportTime && a.timezone === b.timezone;
}

/** Whether `instant` is a report time under `settings` (the slot nextSlots gives for its day). */
function isReportInstant(instant: Date, settings: ReportSchedule): boolean {
  const [slot] = nextSlots(
    { days: "daily", times: [settings.reportTime] },
    settings.timezone,
    new Date(instant.getTime() - 1),
    1,
  );
  return slot?.getTime() === instant.getTime();
}
