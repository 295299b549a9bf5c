import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Logger } from "../logger.ts";
import { AccountHolds } from "./account-holds.ts";
import { Claiming } from "./claiming.ts";
import { InFlight } from "./in-flight.ts";
import { LatePosts } from "./late-posts.ts";
import { Leases } from "./leases.ts";
import { PublishAttempt } from "./publish-attempt.ts";
import { Recovery } from "./recovery.ts";
import type { RunnerDeps, RunnerEmit, RunnerEvents } from "./runner-deps.ts";
import { Settlement } from "./settlement.ts";
import { WakeTimer } from "./wake-timer.ts";

export type { PostingGate, RunnerDeps, RunnerEvents, RunnerSettings } from "./runner-deps.ts";

/**
 * Publishes approved posts on time, exactly once (design.md section 4). The database decides what
 * runs; one timer, armed for the earliest due post, only wakes the runner. This class runs the
 * passes; claiming, publishing and settling, recovery and holds live in modules of their own.
 */
export class PublishRunner extends EventEmitter<RunnerEvents> {
  /** This runner's name on the leases it holds (design.md section 4). */
  readonly id: string;
  private ticking = false;
  private tickAgain = false;
  /** The tick under way (or the last one), so that stop can wait for it. */
  private ticks: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly log: Logger;
  private readonly timer: WakeTimer;
  private readonly inFlight: InFlight;
  private readonly holds: AccountHolds;
  private readonly claiming: Claiming;
  private readonly recovery: Recovery;

  constructor(private readonly deps: RunnerDeps) {
    super();
    this.id = deps.id ?? randomUUID();
    this.log = deps.logger.child({ component: "runner", runner: this.id });
    const emit: RunnerEmit = (event, ...args) => {
      (this as EventEmitter).emit(event, ...args);
    };
    this.timer = new WakeTimer(deps.clock, () => this.wake());
    this.inFlight = new InFlight(deps.settings.concurrency, this.log, () => this.wake());
    this.holds = new AccountHolds(deps, this.log, emit);
    const leases = new Leases(this.id, deps, this.log);
    const settlement = new Settlement(deps, this.id, this.holds, this.log, emit);
    const attempt = new PublishAttempt(deps, leases, settlement, this.log);
    this.claiming = new Claiming(
      deps,
      leases,
      this.inFlight,
      this.holds,
      new LatePosts(deps, settlement, emit),
      attempt,
      this.log,
      () => this.stopping,
    );
    this.recovery = new Recovery(deps, leases, this.inFlight, attempt, settlement, this.log);
  }

  async start(): Promise<void> {
    const now = this.deps.clock.now();
    await this.recovery.recoverExpired(this.deps.settings.reclaimAllLeasesAtStart ? "all" : now);
    // Posts late after downtime are marked missed by the first tick, by the same rule as at the
    // end of any other hold.
    this.wake();
  }

  /** Re-arms the runner after anything changed (a post approved, rescheduled, the clock moved). */
  wake(): void {
    if (this.stopping) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    this.ticks = this.tick();
  }

  /** Stops claiming, lets in-flight publishes finish for up to `timeoutMs`, then returns. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    this.timer.clear();
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, timeoutMs);
    });
    // The tick under way first: it may still hand out work (a recovered post) before it returns.
    const settled = this.ticks.then(() => this.inFlight.settled());
    await Promise.race([settled, timedOut]);
    clearTimeout(deadline);
    if (this.inFlight.size > 0) {
      // Their leases expire and the next start recovers them through the timeline check.
      this.log.warn({ posts: this.inFlight.ids() }, "stopped with publishes still in flight");
    }
  }

  /** Runs while `ticking`: recover, publish what is due, arm the timer; again if woken meanwhile. */
  private async tick(): Promise<void> {
    let nextWakeAt: Date | null = null;
    try {
      // The wake-up time is read inside the loop: a wake that arrives while it is being read
      // (a post handed back, approved) may make its answer stale, and must not be slept through.
      do {
        this.tickAgain = false;
        const now = this.deps.clock.now();
        await this.recovery.recoverExpired(now);
        await this.claiming.publishDue(now);
        this.holds.forgetEnded();
        nextWakeAt = await this.nextWakeAt();
      } while (this.tickAgain && !this.stopping);
    } catch (error) {
      this.log.error({ err: error }, "runner tick failed; retrying shortly");
      nextWakeAt = new Date(this.deps.clock.now().getTime() + 5_000);
    } finally {
      this.ticking = false;
    }
    this.timer.arm(this.stopping ? null : nextWakeAt);
    if (!this.ticking && !this.stopping && this.inFlight.size === 0) {
      this.emit("idle", { nextWakeAt });
    }
  }

  /** The earliest of: a post due, a lease another instance may have left, a hold's end. */
  private async nextWakeAt(): Promise<Date | null> {
    const waiting = this.holds.running();
    const due = await this.deps.queue.nextDueAt(waiting.map(([account]) => account));
    const leaseEnds = this.deps.settings.reclaimAllLeasesAtStart
      ? null
      : await this.deps.queue.nextLeaseExpiry();
    // A lease is taken over once it ended before now (strictly), so look 1 ms after it ends.
    const takeOverAt = leaseEnds === null ? null : new Date(leaseEnds.getTime() + 1);
    const candidates = [due, takeOverAt, ...waiting.map(([, until]) => until)].filter(
      (d): d is Date => d !== null,
    );
    return candidates.length === 0 ? null : new Date(Math.min(...candidates.map(Number)));
  }
}
