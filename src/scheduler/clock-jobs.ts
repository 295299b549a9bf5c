/**
 * Clock jobs: work that runs at a wall-clock time in a time zone (the daily report at the guild's
 * report_time) or on a fixed cadence (the hourly metrics sync). Posts never come here: the runner
 * keeps one timer for them (design.md section 4). Only one instance runs clock jobs (section 10):
 * every instance keeps the schedule, and at each tick asks its ClockJobLeadership whether it is the
 * one (on PostgreSQL, the holder of an advisory lock), so a survivor takes the next tick when the
 * holder dies.
 *
 * When a daily job runs: at the instants `nextSlots` (src/domain/schedule.ts) gives for a daily
 * schedule, so clock jobs and campaign slots follow one daylight-saving rule. Every local day has
 * exactly one run: a time in a skipped hour runs shifted forward by the gap (02:30 Europe/Berlin on
 * 2026-03-29 runs at 03:30 CEST, 01:30Z, the same instant as the day before), and a time in a
 * repeated hour runs once, at its first occurrence (02:30 on 2026-10-25 runs at 00:30Z, CEST).
 *
 * Why node-schedule fires one-off dates instead of a RecurrenceRule with `tz`: checked against
 * node-schedule 2.1.1 (cron-parser 4.9 and luxon inside; the facts are pinned in
 * tests/unit/clock-jobs.test.ts), a RecurrenceRule walks the wall clock an hour at a time in
 * absolute time. That is right for 09:00 on both sides of a change (08:00Z, then 07:00Z after the
 * spring change), but a time inside the shifted hour is never matched on spring-forward day (no
 * 02:30 run on 2026-03-29, silently) and is matched twice on fall-back day (00:30Z and 01:30Z on
 * 2026-10-25). Correcting both around the rule would mean computing every instant ourselves
 * anyway, so the instant comes from the domain and node-schedule only fires it.
 *
 * Every-N-minutes jobs run at UTC multiples of N (hourly means on the hour), so a restart does not
 * shift them and no time zone is involved. N must divide a day (15, 60, 360…) so the instants sit at
 * the same clock times every day.
 */
import { Job as ScheduledJob } from "node-schedule";
import type { ClockJobLeadership } from "../domain/clock-job-ports.ts";
import { DomainError } from "../domain/errors.ts";
import { assertTimeZone, nextSlots } from "../domain/schedule.ts";
import type { Logger } from "../logger.ts";

/** Daily: `time` is "HH:mm" (24-hour, zero-padded), `timeZone` an IANA name ("Europe/Berlin"). */
export type ClockRule =
  | { kind: "daily"; time: string; timeZone: string }
  | { kind: "every"; minutes: number };

export interface ClockJob {
  /** Unique within one ClockJobs; every log line about the job carries it as `job`. */
  name: string;
  rule: ClockRule;
  /**
   * `firedAt` is the instant the tick was due, not when the process woke for it: after downtime
   * the one catch-up run still knows which day or hour it stands for.
   */
  run(firedAt: Date): Promise<void>;
}

export interface ClockJobsDeps {
  logger: Logger;
  leadership?: ClockJobLeadership | undefined;
}

/** Long enough for a report or a metrics batch to finish, short enough for a container's grace. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 24 * 60;
const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

interface Entry {
  job: ClockJob;
  /** The job's rule with the zone in its canonical spelling. */
  rule: ClockRule;
  log: Logger;
  timer: ScheduledJob | null;
  dueAt: Date | null;
}

/**
 * The registry of clock jobs. A job's runs never overlap: a tick that finds the previous run still
 * going is skipped (warn), because a second report or sync racing the first helps no one. A run
 * that fails is logged and the next tick runs as usual.
 */
export class ClockJobs {
  private readonly logger: Logger;
  private readonly leadership: ClockJobLeadership | undefined;
  private readonly entries = new Map<string, Entry>();
  /**
   * In-flight runs by job name. Kept apart from the entries so a run outlives remove() and
   * replace(): the replacement does not overlap it, and stop() still waits for it.
   */
  private readonly running = new Map<string, Promise<void>>();
  /** Jobs asked to run again (runNow) while a run was in progress. */
  private readonly rerun = new Set<string>();
  private stopped = false;

  constructor(deps: ClockJobsDeps) {
    this.logger = deps.logger;
    this.leadership = deps.leadership;
  }

  /** Refuses a duplicate name, a time that is not "HH:mm", an unknown zone, an uneven cadence. */
  add(job: ClockJob): void {
    this.assertOpen();
    if (this.entries.has(job.name)) {
      throw new Error(
        `A clock job named "${job.name}" already exists; use replace() to change its schedule.`,
      );
    }
    this.install(job, checkedRule(job));
  }

  /**
   * Schedules `job` under its name, dropping the schedule of any job of that name (an upsert, so a
   * settings change need not know whether a report time was set before). The new rule is checked
   * first: a refused replacement leaves the old schedule running. A run in progress is not
   * interrupted, and the replacement's ticks do not overlap it.
   */
  replace(job: ClockJob): void {
    this.assertOpen();
    const rule = checkedRule(job);
    this.cancel(job.name);
    this.install(job, rule);
  }

  /** Cancels the job's future ticks; a run in progress finishes (and stop() waits for it). */
  remove(name: string): boolean {
    return this.cancel(name);
  }

  /**
   * Runs the job now, outside its schedule, for a change it must react to (a campaign's autopilot
   * turned on, a library item added). A run in progress is followed by one more, so the change is
   * never left to the next tick. False when no job of that name is scheduled.
   */
  runNow(name: string): boolean {
    const entry = this.entries.get(name);
    if (entry === undefined || this.stopped) return false;
    if (this.running.has(name)) this.rerun.add(name);
    else this.start(entry, new Date());
    return true;
  }

  /** The instant the job is next due, or null when no job of that name is scheduled. */
  nextRun(name: string): Date | null {
    const dueAt = this.entries.get(name)?.dueAt;
    return dueAt === undefined || dueAt === null ? null : new Date(dueAt);
  }

  /**
   * Cancels every job, then waits for runs in progress, at most `timeoutMs`; runs still going then
   * are logged by name and left behind, so a hung X call cannot hold shutdown forever. Afterwards
   * add() and replace() refuse: a job scheduled after shutdown would keep the process alive.
   */
  async stop(timeoutMs: number = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
    this.stopped = true;
    for (const name of [...this.entries.keys()]) this.cancel(name);
    await this.waitForRuns(timeoutMs);
    // After the runs: another instance takes the next tick only once ours have finished.
    await this.leadership?.release();
  }

  private async waitForRuns(timeoutMs: number): Promise<void> {
    if (this.running.size === 0) return;

    let timeout: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      Promise.all(this.running.values()).then(() => false),
      new Promise<boolean>((resolve) => {
        timeout = setTimeout(resolve, timeoutMs, true);
      }),
    ]);
    clearTimeout(timeout);
    if (gaveUp) {
      this.logger.warn(
        { jobs: [...this.running.keys()], timeoutMs },
        "clock jobs still running when shutdown stopped waiting for them",
      );
    }
  }

  private assertOpen(): void {
    if (this.stopped) throw new Error("ClockJobs has been stopped; it schedules no more jobs.");
  }

  private install(job: ClockJob, rule: ClockRule): void {
    const entry: Entry = {
      job,
      rule,
      log: this.logger.child({ job: job.name }),
      timer: null,
      dueAt: null,
    };
    this.entries.set(job.name, entry);
    this.arm(entry, new Date());
  }

  private cancel(name: string): boolean {
    const entry = this.entries.get(name);
    if (entry === undefined) return false;
    entry.timer?.cancel();
    entry.timer = null;
    entry.dueAt = null;
    this.entries.delete(name);
    return true;
  }

  /** Arms the one pending tick of `entry`: the first instant its rule gives after `after`. */
  private arm(entry: Entry, after: Date): void {
    const dueAt = nextDue(entry.rule, after);
    const timer = new ScheduledJob((firedAt: Date) => this.tick(entry, firedAt));
    entry.timer = timer;
    entry.dueAt = dueAt;
    if (!timer.schedule(dueAt)) {
      // node-schedule silently drops a date in the past. `dueAt` lies after `after`, so this only
      // happens when the instant passed while arming: fire it now rather than lose the run.
      timer.cancel();
      this.tick(entry, dueAt);
    }
  }

  private tick(entry: Entry, firedAt: Date): void {
    // A tick of a removed or replaced job cannot normally fire (its timer was cancelled); if one
    // ever did, running it would overlap the replacement's schedule.
    if (this.entries.get(entry.job.name) !== entry) return;
    try {
      // Re-armed from now, not from `firedAt`: a process that slept through several due instants
      // wakes to one tick (this one) and one run, not a burst. node-schedule fires only once the
      // wall clock has reached `firedAt`, so "now" is never before it.
      this.arm(entry, new Date());
    } catch (error) {
      entry.log.error(
        { err: error },
        "clock job could not be scheduled again; it will not run until it is replaced",
      );
      entry.timer = null;
      entry.dueAt = null;
    }
    if (this.running.has(entry.job.name)) {
      entry.log.warn(
        { firedAt },
        "clock job still running from an earlier tick; this tick skipped",
      );
      return;
    }
    this.start(entry, firedAt);
  }

  private start(entry: Entry, firedAt: Date): void {
    const { name } = entry.job;
    const run = this.execute(entry, firedAt).finally(() => {
      if (this.running.get(name) === run) this.running.delete(name);
      if (this.rerun.delete(name) && !this.stopped && this.entries.get(name) === entry) {
        this.start(entry, new Date());
      }
    });
    this.running.set(name, run);
  }

  /** Never rejects: node-schedule turns a rejection into an unhandled 'error' event. */
  private async execute(entry: Entry, firedAt: Date): Promise<void> {
    const startedAt = Date.now();
    try {
      if (this.leadership !== undefined && !(await this.leadership.holds())) {
        entry.log.debug({ firedAt }, "clock job left to the instance holding the lock");
        return;
      }
      entry.log.debug({ firedAt }, "clock job started");
      await entry.job.run(firedAt);
      entry.log.info({ firedAt, durationMs: Date.now() - startedAt }, "clock job finished");
    } catch (error) {
      entry.log.error(
        { err: error, firedAt, durationMs: Date.now() - startedAt },
        "clock job failed; its next tick runs as usual",
      );
    }
  }
}

/** The rule with its zone canonical; throws on anything that would never fire or fire wrongly. */
function checkedRule(job: ClockJob): ClockRule {
  if (job.name.trim() === "") throw new Error("A clock job needs a non-empty name.");
  const { rule } = job;
  if (rule.kind === "every") {
    const { minutes } = rule;
    if (!Number.isInteger(minutes) || minutes <= 0 || MINUTES_PER_DAY % minutes !== 0) {
      throw new RangeError(
        `Clock job "${job.name}": every ${minutes} minutes does not divide a day evenly; ` +
          "use a whole number of minutes that does, such as 15, 60 or 360.",
      );
    }
    return { kind: "every", minutes };
  }
  if (!TIME_OF_DAY.test(rule.time)) {
    throw new DomainError(
      "invalid_time",
      `Clock job "${job.name}": "${rule.time}" is not a time of day. Use HH:mm, 24-hour, ` +
        "00:00–23:59.",
      { job: job.name },
    );
  }
  // The domain's check, so a zone refused here is refused with the same words in /settings.
  return { kind: "daily", time: rule.time, timeZone: assertTimeZone(rule.timeZone) };
}

/** The first instant strictly after `after` at which `rule` is due. */
function nextDue(rule: ClockRule, after: Date): Date {
  if (rule.kind === "every") {
    const periodMs = rule.minutes * MINUTE_MS;
    return new Date((Math.floor(after.getTime() / periodMs) + 1) * periodMs);
  }
  const [slot] = nextSlots({ days: "daily", times: [rule.time] }, rule.timeZone, after, 1);
  if (slot === undefined) throw new Error(`No ${rule.time} ${rule.timeZone} slot after ${after}`);
  return slot;
}
