import type { AccountHold } from "../domain/ports.ts";
import type { Logger } from "../logger.ts";
import type { RunnerDeps, RunnerEmit } from "./runner-deps.ts";

/**
 * Accounts whose posts wait until an instant, by one rule whatever holds them (design.md
 * section 4): their posting budget is used up, X's rate limit said so, or the monthly X budget
 * stops posting. The team is told once per hold, through the outbox.
 */
export class AccountHolds {
  private readonly waits = new Map<number, AccountHold>();
  /**
   * Accounts whose hold the team was told about. A hold that ends with posts still waiting is
   * followed at once by the next one (a sliding budget frees one slot at a time, the X budget is
   * looked at again every few minutes): that is the same hold, told once. Forgotten after a pass
   * that left the account free.
   */
  private readonly told = new Set<number>();

  constructor(
    private readonly deps: Pick<RunnerDeps, "clock" | "accounts" | "notices" | "outbox">,
    private readonly log: Logger,
    private readonly emit: RunnerEmit,
  ) {}

  /** Accounts held past `now`. */
  blocked(now: Date): number[] {
    return [...this.waits.entries()]
      .filter(([, hold]) => hold.until > now)
      .map(([account]) => account);
  }

  isBlocked(xAccountId: number, at: Date): boolean {
    return (this.waits.get(xAccountId)?.until.getTime() ?? 0) > at.getTime();
  }

  /** The holds still running, as account and end; ended ones are forgotten. */
  running(): [number, Date][] {
    const now = this.deps.clock.now().getTime();
    const waiting: [number, Date][] = [];
    for (const [account, { until }] of this.waits) {
      if (until.getTime() > now) waiting.push([account, until]);
      else this.waits.delete(account);
    }
    return waiting;
  }

  /** The monthly X budget no longer stops posting (raised, a new month): its holds end now. */
  xBudgetOpen(): void {
    for (const [xAccountId, hold] of this.waits) {
      if (hold.reason !== "x_budget") continue;
      this.waits.delete(xAccountId);
      this.told.delete(xAccountId);
    }
  }

  /**
   * Holds an account's posts until `hold.until` (never shortening a hold under way), and tells
   * once per hold: posts meeting a hold that already lasts add nothing.
   */
  async hold(xAccountId: number, hold: AccountHold): Promise<void> {
    const current = this.waits.get(xAccountId);
    if (current !== undefined && current.until.getTime() >= hold.until.getTime()) return;
    this.waits.set(xAccountId, hold);
    if (hold.until <= this.deps.clock.now() || this.told.has(xAccountId)) return;
    this.told.add(xAccountId);
    try {
      await this.tell(xAccountId, hold);
    } catch (error) {
      // Not told: the next post meeting the hold tries again.
      this.told.delete(xAccountId);
      this.log.error({ err: error, xAccountId }, "the notice of a hold could not be written");
      return;
    }
    this.emit("account.held", { xAccountId, ...hold });
  }

  /** After a pass over the due posts: accounts it left without a hold are free again. */
  forgetEnded(): void {
    const now = this.deps.clock.now();
    for (const xAccountId of this.told) {
      if (!this.isBlocked(xAccountId, now)) this.told.delete(xAccountId);
    }
  }

  private async tell(xAccountId: number, hold: AccountHold): Promise<void> {
    const { notices, outbox, accounts } = this.deps;
    if (notices === undefined || outbox === undefined) return;
    const account = await accounts.findById(xAccountId);
    if (account !== null) await outbox.enqueue(notices.accountHeld(account, hold));
  }
}
