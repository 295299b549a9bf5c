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
  /** Records the run of `date`; false when it was already recorded. */
  claim(guildId: string, date: string, at: Date): Promise<boolean>;
  /** Forgets a claim whose report could not be sent, so it is tried again. */
  release(guildId: string, date: string): Promise<void>;
}
