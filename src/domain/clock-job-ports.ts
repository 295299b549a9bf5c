import type { OutboxDraft } from "./outbox.ts";
/** Ports of the clock jobs (src/scheduler/clock-jobs.ts, daily-report.ts) that src/db implements. */

/**
 * Decides whether this instance runs clock jobs, asked at every tick. With several instances on
 * one database exactly one must answer true (src/db/clock-leadership.ts); alone, none is needed.
 */
export interface ClockJobLeadership {
  holds(): Promise<boolean>;
  release(): Promise<void>;
}

/** The daily report's record of the days it ran, per guild (DailyReportRun). */
export interface ReportRuns {
  /** Whether the run of `date` is recorded. */
  ran(guildId: string, date: string): Promise<boolean>;
  /**
   * Records the run of `date` with the report's messages, in one transaction; false (and nothing
   * written) when it was already recorded.
   */
  claim(
    guildId: string,
    date: string,
    at: Date,
    messages: readonly OutboxDraft[],
  ): Promise<boolean>;
}
