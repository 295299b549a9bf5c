import type { Campaign } from "../domain/campaigns.ts";
import type { Post } from "../domain/posts.ts";
import { nextAllowedAt, type PostingBudget } from "../domain/publish-budget.ts";
import type { Logger } from "../logger.ts";
import type { AccountHolds } from "./account-holds.ts";
import type { InFlight } from "./in-flight.ts";
import type { LatePosts } from "./late-posts.ts";
import { isTooLate } from "./late-posts.ts";
import type { Leases } from "./leases.ts";
import type { AccountLookup, PublishAttempt } from "./publish-attempt.ts";
import { BATCH, type RunnerDeps } from "./runner-deps.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Finds the due posts, keeps back those of held accounts, marks the ones held past the grace
 * window missed, and claims the rest in batches, handing each claimed post to a publish attempt.
 */
export class Claiming {
  constructor(
    private readonly deps: RunnerDeps,
    private readonly leases: Leases,
    private readonly inFlight: InFlight,
    private readonly holds: AccountHolds,
    private readonly late: LatePosts,
    private readonly attempt: PublishAttempt,
    private readonly log: Logger,
    private readonly stopping: () => boolean,
  ) {}

  /** Publishes what is due; what a hold kept back past the grace window is missed instead. */
  async publishDue(now: Date): Promise<void> {
    const graceMs = await this.graceMs();
    const recentByAccount = new Map<number, Date[]>();
    const budgets = new Map<number, PostingBudget>();
    const campaigns = new Map<number, Campaign | null>();
    const gate = (await this.deps.postingGate?.postingHold(now)) ?? null;
    if (gate === null) this.holds.xBudgetOpen();
    const { concurrency } = this.deps.settings;
    for (;;) {
      if (this.stopping()) return;
      const fetched = (await this.deps.queue.due(now, BATCH, this.holds.blocked(now))).filter(
        (post) => !this.inFlight.has(post.id),
      );
      if (fetched.length === 0) return;
      const late = await this.late.markMissed(
        fetched.filter((post) => isTooLate(post, now, graceMs)),
      );
      const due = fetched.filter((post) => !isTooLate(post, now, graceMs));
      let claimedAny = late.length > 0;
      let next = 0;
      while (next < due.length) {
        // Claims go in batches: wait until half the slots are free (or enough for what is left),
        // so that one transaction claims many posts instead of one each time a publish ends.
        await this.inFlight.waitForSlots(Math.min(Math.ceil(concurrency / 2), due.length - next));
        if (this.stopping()) return;
        const current = this.deps.clock.now();
        const picked: Post[] = [];
        while (picked.length < this.inFlight.free && next < due.length) {
          const post = due[next++] as Post;
          const campaign = await cached(campaigns, post.campaignId, (id) =>
            this.deps.campaigns.findById(id),
          );
          const accountId = campaign?.xAccountId ?? null;
          if (accountId !== null) {
            // Checked per post: a publish that just finished may have told us the account is blocked.
            if (this.holds.isBlocked(accountId, current)) continue;
            if (gate !== null) {
              await this.holds.hold(accountId, {
                reason: "x_budget",
                until: gate.until,
                detail: gate.reason,
              });
              continue;
            }
            const recent = await cached(recentByAccount, accountId, (id) =>
              this.deps.queue.publishTimes(id, new Date(current.getTime() - DAY_MS)),
            );
            const budget = await cached(budgets, accountId, (id) => this.budgetOf(id));
            const allowedAt = nextAllowedAt(recent, budget, current);
            if (allowedAt > current) {
              this.log.info({ xAccountId: accountId, until: allowedAt }, "posting budget reached");
              await this.holds.hold(accountId, { reason: "budget", until: allowedAt });
              continue;
            }
            recent.push(current);
          }
          picked.push(post);
        }
        if (picked.length === 0) continue;
        claimedAny = (await this.claim(picked, current, campaigns)) || claimedAny;
      }
      if (!claimedAny) return;
    }
  }

  /** Claims the picked posts in one go and starts a publish for each one this runner got. */
  private async claim(
    picked: readonly Post[],
    now: Date,
    campaigns: ReadonlyMap<number, Campaign | null>,
  ): Promise<boolean> {
    const leaseUntil = new Date(now.getTime() + this.deps.settings.leaseMs);
    const accounts = new Map<number, Promise<AccountLookup>>();
    const lookUp = (xAccountId: number) => {
      const known = accounts.get(xAccountId) ?? this.attempt.lookUpAccount(xAccountId);
      accounts.set(xAccountId, known);
      return known;
    };
    const claimed = await this.deps.posts.claim(
      picked.map((post) => post.id),
      now,
      leaseUntil,
      this.leases.owner,
    );
    for (const post of claimed) {
      const campaign = campaigns.get(post.campaignId) ?? null;
      this.inFlight.track(post.id, this.attempt.publishClaimed(post, campaign, lookUp));
    }
    return claimed.length > 0;
  }

  /** How late a post may still go out: the guild's setting, else the environment's. */
  private async graceMs(): Promise<number> {
    return (await this.deps.guildGraceMs?.()) ?? this.deps.settings.graceMs;
  }

  /** The account's own budget (/x budget) where it set one, else the environment's. */
  private async budgetOf(xAccountId: number): Promise<PostingBudget> {
    const account = await this.deps.accounts.findById(xAccountId);
    const fallback = this.deps.settings.budget;
    return {
      per24Hours: account?.postsPer24h ?? fallback.per24Hours,
      per15Minutes: account?.postsPer15Min ?? fallback.per15Minutes,
    };
  }
}

async function cached<K, V>(cache: Map<K, V>, key: K, load: (key: K) => Promise<V>): Promise<V> {
  if (cache.has(key)) return cache.get(key) as V;
  const value = await load(key);
  cache.set(key, value);
  return value;
}
