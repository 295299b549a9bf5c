import type { Clock } from "../domain/ports.ts";
import type { Logger } from "../logger.ts";
import type { RunnerEmit } from "./runner-deps.ts";

/**
 * Accounts whose posts wait until an instant: their posting budget is used up, X's rate limit
 * said so, or the posting gate (the monthly X budget) holds them. The team is told once per hold.
 */
export class AccountHolds {
  /** Accounts that may not post before an instant (local budget or X's headers). */
  private readonly waits = new Map<number, Date>();
  /** Accounts the posting gate holds, so the team is told once per hold, not at every look. */
  private readonly gateHeld = new Set<number>();
  /**
   * Accounts whose hold the team was told about (account.held). A hold that ends with posts
   * still waiting is followed at once by the next one (a sliding budget frees one slot at a
   * time): that is the same hold, told once. Forgotten after a pass that left the account free.
   */
  private readonly told = new Set<number>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly emit: RunnerEmit,
  ) {}

  /** Accounts held past `now`. */
  blocked(now: Date): number[] {
    return [...this.waits.entries()].filter(([, until]) => until > now).map(([account]) => account);
  }

  isBlocked(xAccountId: number, at: Date): boolean {
    return (this.waits.get(xAccountId)?.getTime() ?? 0) > at.getTime();
  }

  /** The holds still running, as account and end; ended ones are forgotten. */
  running(): [number, Date][] {
    const now = this.clock.now().getTime();
    const waiting = [...this.waits.entries()].filter(([, until]) => until.getTime() > now);
    for (const [account, until] of this.waits) {
      if (until.getTime() <= now) this.waits.delete(account);
    }
    return waiting;
  }

  /** The posting gate holds nothing now: a later hold is a new one, told again. */
  gateOpen(): void {
    this.gateHeld.clear();
  }

  /** Holds an account's posts as the posting gate says; they go out when the hold ends. */
  holdForGate(xAccountId: number, hold: { until: Date; reason: string }): void {
    this.waits.set(xAccountId, hold.until);
    if (this.gateHeld.has(xAccountId)) return;
    this.gateHeld.add(xAccountId);
    this.log.info({ xAccountId, until: hold.until, reason: hold.reason }, "posting held");
    this.emit("posting.held", { xAccountId, ...hold });
  }

  /**
   * Holds an account's posts until `until` (never shortening a hold under way), and tells once
   * per hold: posts meeting a hold that already lasts add nothing.
   */
  hold(xAccountId: number, until: Date, reason: "budget" | "rate_limit"): void {
    const now = this.clock.now().getTime();
    const current = this.waits.get(xAccountId);
    if (current !== undefined && current.getTime() >= until.getTime()) return;
    this.waits.set(xAccountId, until);
    if (until.getTime() <= now || this.told.has(xAccountId)) return;
    this.told.add(xAccountId);
    this.emit("account.held", { xAccountId, until, reason });
  }

  /** After a pass over the due posts: accounts it left without a hold are free again. */
  forgetEnded(): void {
    const now = this.clock.now();
    for (const xAccountId of this.told) {
      if (!this.isBlocked(xAccountId, now)) this.told.delete(xAccountId);
    }
  }
}
