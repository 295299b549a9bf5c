import { EventEmitter } from "node:events";
import { SCHEDULER_ACTOR } from "../domain/audit.ts";
import type { Campaign } from "../domain/campaigns.ts";
import { composePostText } from "../domain/content-policy.ts";
import { isDomainError } from "../domain/errors.ts";
import type {
  CampaignRepository,
  Clock,
  PostMove,
  PostRepository,
  PublishQueue,
  RecordedPost,
  RunnerNotices,
  XAccountRepository,
} from "../domain/ports.ts";
import { movedMeanwhile, nextStatus, type PostEvent } from "../domain/post-lifecycle.ts";
import type { Post, PostChanges } from "../domain/posts.ts";
import { nextAllowedAt, type PostingBudget } from "../domain/publish-budget.ts";
import {
  type PublishAccount,
  type Publisher,
  type PublishOutcome,
  publishCostUsd,
} from "../domain/publishing.ts";
import { findSentPost, urlsIn } from "../domain/timeline-match.ts";
import type { XPrices } from "../domain/x-prices.ts";
import type { Logger } from "../logger.ts";
import { type BackoffPolicy, backoffDelay } from "./backoff.ts";
import { GroupCommit } from "./group-commit.ts";

export interface RunnerSettings {
  /** How long a claim lasts without renewal; a crashed attempt is recovered after it. */
  leaseMs: number;
  /** Publish attempts before a post that X keeps failing on becomes `failed`. */
  maxAttempts: number;
  /**
   * After downtime, posts late by more than this become `missed` instead of going out; the
   * default when the guild set no grace window of its own (RunnerDeps.guildGraceMs).
   */
  graceMs: number;
  /** Posts in flight to X at once. */
  concurrency: number;
  /** The budget of accounts that have none of their own (/x budget). */
  budget: PostingBudget;
  backoff: BackoffPolicy;
  /** X's prices, for each post's recorded cost; X's published prices when not given. */
  prices?: XPrices | undefined;
  /**
   * With SQLite one instance owns the database, so every lease left by a previous run is stale
   * and is recovered at start. With a shared database (PostgreSQL, several instances) only
   * expired leases are, and an idle runner also wakes when the earliest lease ends, so posts of an
   * instance that died are finished by another.
   */
  reclaimAllLeasesAtStart: boolean;
}

export interface RunnerEvents {
  "post.published": [{ post: Post; xPostId: string; recovered: boolean }];
  "post.failed": [{ post: Post; reason: string }];
  "post.missed": [{ post: Post }];
  /**
   * The posts of one campaign that a hold (downtime, a pause, an unusable account, a budget or
   * X's rate limit) kept back past the grace window and that were marked missed together.
   */
  "posts.missed": [{ campaignId: number; posts: Post[] }];
  "post.retrying": [{ post: Post; reason: string; nextAttemptAt: Date }];
  "account.invalid": [{ xAccountId: number; reason: string }];
  /** The posting gate (the monthly X budget) started holding an account's posts. */
  "posting.held": [{ xAccountId: number; until: Date; reason: string }];
  /**
   * An account's posts wait until `until`: its own budget is used up, or X's rate limit said so.
   * Once per hold: a hold extended while it lasts is not told again.
   */
  "account.held": [{ xAccountId: number; until: Date; reason: "budget" | "rate_limit" }];
  /** Every time the runner has nothing in flight and nothing due, and armed its timer. */
  idle: [{ nextWakeAt: Date | null }];
}

export interface RunnerDeps {
  posts: PostRepository;
  queue: PublishQueue;
  campaigns: CampaignRepository;
  accounts: XAccountRepository;
  publisher: Publisher;
  clock: Clock;
  logger: Logger;
  settings: RunnerSettings;
  /**
   * The grace window the guild set (/settings late_grace_minutes), in ms, or null for
   * `settings.graceMs`. Read each time the window is used, not once at start, so a change made
   * through any instance applies on every instance.
   */
  guildGraceMs?: (() => Promise<number | null>) | undefined;
  /** Asked before posting: a used-up X budget may hold every account (x-spend.ts). */
  postingGate?: PostingGate | undefined;
  /** Messages written with the moves they report; none when not given (benchmarks). */
  notices?: RunnerNotices;
  /**
   * The link X receives for a post Herald tracks itself (HERALD_PUBLIC_URL/r/<code>), or null to
   * send the stored affiliate URL. The same post must always get the same link (timeline match).
   */
  trackedLink?: ((post: Post) => Promise<string | null>) | undefined;
}

export interface PostingGate {
  postingHold(now: Date): Promise<{ until: Date; reason: string } | null>;
}

type AccountLookup =
  | { kind: "ok"; account: PublishAccount }
  | { kind: "missing" }
  | { kind: "invalid"; handle: string }
  | { kind: "unreadable"; handle: string; reason: string };

/** setTimeout's ceiling: a longer delay fires at once, so longer waits re-check on wake. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const BATCH = 200;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A clock error on Herald's side must not end with a timeline miss: look a little further back. */
const TIMELINE_SKEW_MS = 5 * 60 * 1000;

/**
 * Publishes approved posts on time, exactly once (design.md section 4). The database decides what
 * runs; one timer, armed for the earliest due post, only wakes the runner.
 */
export class PublishRunner extends EventEmitter<RunnerEvents> {
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private tickAgain = false;
  /** The tick under way (or the last one), so that stop can wait for it. */
  private ticks: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Accounts that may not post before an instant (local budget or X's headers). */
  private readonly accountWaits = new Map<number, Date>();
  /** Accounts the posting gate holds, so the team is told once per hold, not at every look. */
  private readonly gateHeld = new Set<number>();
  /**
   * Accounts whose hold the team was told about (account.held). A hold that ends with posts
   * still waiting is followed at once by the next one (a sliding budget frees one slot at a
   * time): that is the same hold, told once. Forgotten after a pass that left the account free.
   */
  private readonly toldHolds = new Set<number>();
  private readonly log: Logger;
  /** Every status change the runner makes: publishes finishing together share a transaction. */
  private readonly moves: GroupCommit<PostMove, Post | null>;

  constructor(private readonly deps: RunnerDeps) {
    super();
    this.log = deps.logger.child({ component: "runner" });
    this.moves = new GroupCommit((moves) => deps.posts.transitionAll(moves));
  }

  async start(): Promise<void> {
    const now = this.deps.clock.now();
    await this.recoverExpired(this.deps.settings.reclaimAllLeasesAtStart ? "all" : now);
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
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, timeoutMs);
    });
    // The tick under way first: it may still hand out work (a recovered post) before it returns.
    const settled = this.ticks.then(() => Promise.allSettled([...this.inFlight.values()]));
    await Promise.race([settled, timedOut]);
    clearTimeout(deadline);
    if (this.inFlight.size > 0) {
      // Their leases expire and the next start recovers them through the timeline check.
      this.log.warn({ posts: [...this.inFlight.keys()] }, "stopped with publishes still in flight");
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
        await this.recoverExpired(now);
        await this.publishDue(now);
        this.forgetEndedHolds();
        nextWakeAt = await this.nextWakeAt();
      } while (this.tickAgain && !this.stopping);
    } catch (error) {
      this.log.error({ err: error }, "runner tick failed; retrying shortly");
      nextWakeAt = new Date(this.deps.clock.now().getTime() + 5_000);
    } finally {
      this.ticking = false;
    }
    this.arm(nextWakeAt);
    if (!this.ticking && !this.stopping && this.inFlight.size === 0) {
      this.emit("idle", { nextWakeAt });
    }
  }

  private arm(at: Date | null): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (at === null || this.stopping) return;
    const delay = Math.min(
      MAX_TIMER_MS,
      Math.max(0, at.getTime() - this.deps.clock.now().getTime()),
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, delay);
  }

  private async nextWakeAt(): Promise<Date | null> {
    const now = this.deps.clock.now().getTime();
    const waiting = [...this.accountWaits.entries()].filter(([, until]) => until.getTime() > now);
    for (const [account, until] of this.accountWaits) {
      if (until.getTime() <= now) this.accountWaits.delete(account);
    }
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

  /** Publishes what is due; what a hold kept back past the grace window is missed instead. */
  private async publishDue(now: Date): Promise<void> {
    const missed: Post[] = [];
    try {
      await this.publishDueBatches(now, await this.graceMs(), missed);
    } finally {
      this.announceMissed(missed);
    }
  }

  private async publishDueBatches(now: Date, graceMs: number, missed: Post[]): Promise<void> {
    const recentByAccount = new Map<number, Date[]>();
    const budgets = new Map<number, PostingBudget>();
    const campaigns = new Map<number, Campaign | null>();
    const hold = (await this.deps.postingGate?.postingHold(now)) ?? null;
    if (hold === null) this.gateHeld.clear();
    const { concurrency } = this.deps.settings;
    for (;;) {
      if (this.stopping) return;
      const blocked = [...this.accountWaits.entries()]
        .filter(([, until]) => until > now)
        .map(([account]) => account);
      const fetched = (await this.deps.queue.due(now, BATCH, blocked)).filter(
        (post) => !this.inFlight.has(post.id),
      );
      if (fetched.length === 0) return;
      const late = await this.markMissed(fetched.filter((post) => isTooLate(post, now, graceMs)));
      missed.push(...late);
      const due = fetched.filter((post) => !isTooLate(post, now, graceMs));
      let claimedAny = late.length > 0;
      let next = 0;
      while (next < due.length) {
        // Claims go in batches: wait until half the slots are free (or enough for what is left),
        // so that one transaction claims many posts instead of one each time a publish ends.
        await this.waitForSlots(Math.min(Math.ceil(concurrency / 2), due.length - next));
        if (this.stopping) return;
        const current = this.deps.clock.now();
        const picked: Post[] = [];
        while (picked.length < concurrency - this.inFlight.size && next < due.length) {
          const post = due[next++] as Post;
          const campaign = await cached(campaigns, post.campaignId, (id) =>
            this.deps.campaigns.findById(id),
          );
          const accountId = campaign?.xAccountId ?? null;
          if (accountId !== null) {
            // Checked per post: a publish that just finished may have told us the account is blocked.
            if ((this.accountWaits.get(accountId)?.getTime() ?? 0) > current.getTime()) continue;
            if (hold !== null) {
              this.holdAccount(accountId, hold);
              continue;
            }
            const recent = await cached(recentByAccount, accountId, (id) =>
              this.deps.queue.publishTimes(id, new Date(current.getTime() - DAY_MS)),
            );
            const budget = await cached(budgets, accountId, (id) => this.budgetOf(id));
            const allowedAt = nextAllowedAt(recent, budget, current);
            if (allowedAt > current) {
              this.log.info({ xAccountId: accountId, until: allowedAt }, "posting budget reached");
              this.hold(accountId, allowedAt, "budget");
              continue;
            }
            recent.push(current);
          }
          picked.push(post);
        }
        if (picked.length === 0) continue;
        const leaseUntil = new Date(current.getTime() + this.deps.settings.leaseMs);
        const ids = picked.map((post) => post.id);
        const accounts = new Map<number, Promise<AccountLookup>>();
        const lookUp = (xAccountId: number) => {
          const known = accounts.get(xAccountId) ?? this.lookUpAccount(xAccountId);
          accounts.set(xAccountId, known);
          return known;
        };
        for (const claimed of await this.deps.posts.claim(ids, current, leaseUntil)) {
          claimedAny = true;
          const campaign = campaigns.get(claimed.campaignId) ?? null;
          this.track(claimed.id, this.publishClaimed(claimed, campaign, lookUp));
        }
      }
      if (!claimedAny) return;
    }
  }

  /** Holds an account's posts as the posting gate says; they go out when the hold ends. */
  private holdAccount(xAccountId: number, hold: { until: Date; reason: string }): void {
    this.accountWaits.set(xAccountId, hold.until);
    if (this.gateHeld.has(xAccountId)) return;
    this.gateHeld.add(xAccountId);
    this.log.info({ xAccountId, until: hold.until, reason: hold.reason }, "posting held");
    this.emit("posting.held", { xAccountId, ...hold });
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

  /**
   * Holds an account's posts until `until` (never shortening a hold under way), and tells once
   * per hold: posts meeting a hold that already lasts add nothing.
   */
  private hold(xAccountId: number, until: Date, reason: "budget" | "rate_limit"): void {
    const now = this.deps.clock.now().getTime();
    const current = this.accountWaits.get(xAccountId);
    if (current !== undefined && current.getTime() >= until.getTime()) return;
    this.accountWaits.set(xAccountId, until);
    if (until.getTime() <= now || this.toldHolds.has(xAccountId)) return;
    this.toldHolds.add(xAccountId);
    this.emit("account.held", { xAccountId, until, reason });
  }

  /** After a pass over the due posts: accounts it left without a hold are free again. */
  private forgetEndedHolds(): void {
    const now = this.deps.clock.now().getTime();
    for (const xAccountId of this.toldHolds) {
      if ((this.accountWaits.get(xAccountId)?.getTime() ?? 0) <= now) {
        this.toldHolds.delete(xAccountId);
      }
    }
  }

  /** Waits until at least `wanted` publishes can start (never more than the concurrency allows). */
  private async waitForSlots(wanted = 1): Promise<void> {
    const free = Math.min(Math.max(1, wanted), this.deps.settings.concurrency);
    while (this.deps.settings.concurrency - this.inFlight.size < free) {
      await Promise.race(this.inFlight.values());
    }
  }

  private track(postId: number, work: Promise<void>): void {
    const done = work
      .catch((error: unknown) => {
        this.log.error({ err: error, postId }, "publish task failed unexpectedly");
      })
      .finally(() => {
        this.inFlight.delete(postId);
        this.wake();
      });
    this.inFlight.set(postId, done);
  }

  /** Keeps the claim alive while X is slow, so no recoverer mistakes it for a crash. */
  private holdLease(postId: number): () => void {
    const { leaseMs } = this.deps.settings;
    const interval = setInterval(
      () => {
        const until = new Date(this.deps.clock.now().getTime() + leaseMs);
        this.deps.queue.renewLease(postId, until).catch((error: unknown) => {
          this.log.warn({ err: error, postId }, "could not renew lease");
        });
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    return () => clearInterval(interval);
  }

  private async publishClaimed(
    post: Post,
    campaign: Campaign | null,
    lookUp: (xAccountId: number) => Promise<AccountLookup>,
  ): Promise<void> {
    const release = this.holdLease(post.id);
    const log = this.log.child({ postId: post.id, attempt: post.attempts });
    try {
      if (campaign === null || campaign.xAccountId === null) {
        await this.fail(
          post,
          "The campaign has no X account. Connect one with /x connect and set it on the campaign, then retry.",
        );
        return;
      }
      const account = await this.accountFor(post, lookUp(campaign.xAccountId));
      if (account === null) return;
      const text = composePostText(post.text, await this.linkFor(post));

      // An earlier attempt may have reached X (a timeout, a dropped connection, a crash):
      // look on the timeline before posting again.
      if (post.attempts > 1 && (await this.foundOnTimeline(post, account, text))) return;

      log.debug("publishing");
      const outcome = await this.deps.publisher.publish({
        account,
        text,
        media: post.media,
        sensitive: campaign.adult,
        paidPartnership: campaign.paidPartnership && post.affiliateLink !== null,
      });
      await this.settle(post, account, text, outcome);
    } finally {
      release();
    }
  }

  private async linkFor(post: Post): Promise<string | null> {
    if (post.affiliateLink === null) return null;
    return (await this.deps.trackedLink?.(post)) ?? post.affiliateLink.trackedUrl;
  }

  /** The account and its opened credentials, read once for all the posts of a claimed batch. */
  private async lookUpAccount(xAccountId: number): Promise<AccountLookup> {
    const account = await this.deps.accounts.findById(xAccountId);
    if (account === null) return { kind: "missing" };
    if (account.status === "invalid") return { kind: "invalid", handle: account.handle };
    try {
      const credentials = await this.deps.accounts.credentialsOf(xAccountId);
      return { kind: "ok", account: { id: account.id, xUserId: account.xUserId, credentials } };
    } catch (error) {
      if (isDomainError(error)) {
        return { kind: "unreadable", handle: account.handle, reason: error.message };
      }
      throw error;
    }
  }

  /** The account to publish `post` with, or null after settling the post when there is none. */
  private async accountFor(
    post: Post,
    lookup: Promise<AccountLookup>,
  ): Promise<PublishAccount | null> {
    const found = await lookup;
    switch (found.kind) {
      case "ok":
        return found.account;
      case "missing":
        await this.fail(
          post,
          "The campaign's X account no longer exists. Connect one with /x connect.",
        );
        return null;
      case "invalid":
        // Another post just found the account's credentials refused: hold this one too.
        await this.retryLater(
          post,
          `The X account @${found.handle} needs reconnecting (/x connect).`,
          this.deps.clock.now(),
          post.attempts - 1,
        );
        return null;
      case "unreadable":
        await this.fail(post, `The X account @${found.handle} cannot be used: ${found.reason}`);
        return null;
    }
  }

  private async settle(
    post: Post,
    account: PublishAccount,
    text: string,
    outcome: PublishOutcome,
  ): Promise<void> {
    this.log.debug({ postId: post.id, outcome: outcome.kind }, "X answered");
    switch (outcome.kind) {
      case "published":
        if (outcome.limits.blockedUntil !== null) {
          this.hold(account.id, outcome.limits.blockedUntil, "rate_limit");
        }
        await this.markPublished(post, outcome.xPostId, false);
        return;
      case "rate_limited":
        // X refused before creating anything: wait for its window, and do not count the attempt.
        this.hold(account.id, outcome.resetAt, "rate_limit");
        await this.retryLater(post, outcome.reason, outcome.resetAt, post.attempts - 1);
        return;
      case "auth_invalid":
        await this.invalidateAccount(account.id, outcome.reason);
        await this.retryLater(post, outcome.reason, this.deps.clock.now(), post.attempts - 1);
        return;
      case "duplicate":
        // X says it has this text already: published only if the post is really there.
        if (await this.foundOnTimeline(post, account, text)) return;
        await this.fail(post, `X refused the post: ${outcome.reason}`);
        return;
      case "rejected":
        await this.fail(post, `X refused the post: ${outcome.reason}`);
        return;
      case "uncertain":
        if (post.attempts >= this.deps.settings.maxAttempts) {
          if (await this.foundOnTimeline(post, account, text)) return;
          await this.fail(
            post,
            `X did not accept the post after ${post.attempts} attempts (last: ${outcome.reason}). Retry later.`,
          );
          return;
        }
        await this.retryLater(
          post,
          outcome.reason,
          new Date(
            this.deps.clock.now().getTime() +
              backoffDelay(post.attempts, this.deps.settings.backoff),
          ),
          post.attempts,
        );
        return;
    }
  }

  /**
   * True when the post is on the account's timeline (and is now marked published). When the
   * timeline cannot be read, the post is handed back for a later attempt and true is returned
   * too: nothing may be posted while it is unknown whether X already has it.
   */
  private async foundOnTimeline(
    post: Post,
    account: PublishAccount,
    text: string,
  ): Promise<boolean> {
    const since = new Date(post.scheduledAt.getTime() - TIMELINE_SKEW_MS);
    const result = await this.deps.publisher.recentPosts(account, since);
    if (result.kind !== "ok") {
      const wait =
        result.kind === "rate_limited"
          ? result.resetAt
          : new Date(
              this.deps.clock.now().getTime() +
                backoffDelay(post.attempts, this.deps.settings.backoff),
            );
      if (result.kind === "auth_invalid") await this.invalidateAccount(account.id, result.reason);
      await this.retryLater(
        post,
        `Checking X for an earlier attempt failed: ${result.reason}`,
        wait,
        post.attempts,
      );
      return true;
    }
    const found = findSentPost(text, result.posts);
    if (found === null) return false;
    await this.markPublished(post, found.id, true);
    return true;
  }

  private async markPublished(post: Post, xPostId: string, recovered: boolean): Promise<void> {
    // Written with the publish, so no crash or Discord outage between the two can lose it.
    const { notices: render } = this.deps;
    const notices =
      render === undefined
        ? undefined
        : (recorded: RecordedPost) => render.published(recorded, xPostId);
    const now = this.deps.clock.now();
    const updated = await this.move(
      post,
      "publish_succeeded",
      {
        xPostId,
        publishedAt: now,
        costUsd: publishCostUsd(
          post.affiliateLink !== null || urlsIn(post.text).length > 0,
          this.deps.settings.prices,
        ),
        leaseUntil: null,
        nextAttemptAt: null,
        lastError: null,
      },
      { xPostId, recovered },
      notices,
    );
    this.emit("post.published", { post: updated, xPostId, recovered });
  }

  private async retryLater(post: Post, reason: string, at: Date, attempts: number): Promise<void> {
    const updated = await this.move(
      post,
      "release",
      {
        leaseUntil: null,
        nextAttemptAt: at,
        lastError: reason,
        attempts: Math.max(0, attempts),
      },
      { reason, nextAttemptAt: at.toISOString() },
    );
    this.emit("post.retrying", { post: updated, reason, nextAttemptAt: at });
  }

  private async fail(post: Post, reason: string): Promise<void> {
    const updated = await this.move(
      post,
      "publish_failed",
      {
        leaseUntil: null,
        nextAttemptAt: null,
        lastError: reason,
      },
      { reason },
      this.deps.notices === undefined
        ? undefined
        : (recorded) => this.deps.notices?.failed(recorded, reason) ?? [],
    );
    this.emit("post.failed", { post: updated, reason });
  }

  private async invalidateAccount(xAccountId: number, reason: string): Promise<void> {
    const account = await this.deps.accounts.findById(xAccountId);
    if (account === null || account.status === "invalid") return;
    await this.deps.accounts.setStatus(xAccountId, "invalid", {
      actor: SCHEDULER_ACTOR,
      action: "x_account.invalid",
      payload: { reason },
    });
    this.emit("account.invalid", { xAccountId, reason });
  }

  private async move(
    post: Post,
    event: PostEvent,
    changes: PostChanges,
    payload: Record<string, unknown>,
    notices?: PostMove["notices"],
  ): Promise<Post> {
    const moved = await this.tryMove(post, event, changes, payload, notices);
    if (moved === null) {
      throw movedMeanwhile(post.id, post.status, nextStatus(post.status, event, post.id));
    }
    return moved;
  }

  /** The move through the group commit; null when someone else moved the post first. */
  private tryMove(
    post: Post,
    event: PostEvent,
    changes: PostChanges,
    payload: Record<string, unknown>,
    notices?: PostMove["notices"],
  ): Promise<Post | null> {
    const to = nextStatus(post.status, event, post.id);
    return this.moves.submit({
      id: post.id,
      from: post.status,
      changes: { ...changes, status: to },
      audit: {
        actor: SCHEDULER_ACTOR,
        action: `post.${event}`,
        payload: { from: post.status, to, ...payload },
      },
      ...(notices === undefined ? {} : { notices }),
    });
  }

  /** Posts whose claim outlived its lease: a crash mid-publish. Look on X, then retry or finish. */
  private async recoverExpired(cutoff: Date | "all"): Promise<void> {
    for (;;) {
      const leaseUntil = new Date(this.deps.clock.now().getTime() + this.deps.settings.leaseMs);
      const taken = (await this.deps.queue.takeOverExpired(cutoff, leaseUntil, BATCH)).filter(
        (post) => !this.inFlight.has(post.id),
      );
      if (taken.length === 0) return;
      for (const post of taken) {
        await this.waitForSlots();
        this.track(post.id, this.recover(post));
      }
      if (taken.length < BATCH) return;
    }
  }

  private async recover(post: Post): Promise<void> {
    const release = this.holdLease(post.id);
    try {
      this.log.info(
        { postId: post.id, attempts: post.attempts },
        "recovering an interrupted publish",
      );
      const campaign = await this.deps.campaigns.findById(post.campaignId);
      if (campaign?.xAccountId == null) {
        await this.retryLater(
          post,
          "Interrupted while publishing",
          this.deps.clock.now(),
          post.attempts,
        );
        return;
      }
      const account = await this.accountFor(post, this.lookUpAccount(campaign.xAccountId));
      if (account === null) return;
      const text = composePostText(post.text, await this.linkFor(post));
      if (await this.foundOnTimeline(post, account, text)) return;
      await this.retryLater(
        post,
        "Interrupted while publishing; not on X, so trying again",
        this.deps.clock.now(),
        post.attempts,
      );
    } finally {
      release();
    }
  }

  /** How late a post may still go out: the guild's setting, else the environment's. */
  private async graceMs(): Promise<number> {
    return (await this.deps.guildGraceMs?.()) ?? this.deps.settings.graceMs;
  }

  /** Posts kept back past the grace window are not sent late: they become `missed`. */
  private async markMissed(posts: readonly Post[]): Promise<Post[]> {
    const moved = await Promise.all(
      posts.map((post) =>
        this.tryMove(
          post,
          "mark_missed",
          { nextAttemptAt: null },
          { scheduledAt: post.scheduledAt.toISOString() },
        ),
      ),
    );
    // A post someone moved meanwhile (cancelled, rescheduled) is theirs now, not missed.
    const missed = moved.filter((post): post is Post => post !== null);
    for (const post of missed) this.emit("post.missed", { post });
    return missed;
  }

  /** One announcement per campaign for the posts that missed their time together. */
  private announceMissed(missed: readonly Post[]): void {
    const byCampaign = new Map<number, Post[]>();
    for (const post of missed) {
      byCampaign.set(post.campaignId, [...(byCampaign.get(post.campaignId) ?? []), post]);
    }
    for (const [campaignId, posts] of byCampaign) this.emit("posts.missed", { campaignId, posts });
  }
}

/**
 * Whether a due post was held past the grace window. Only a post not tried yet: one being retried
 * after X failed was on time when it was first sent.
 */
function isTooLate(post: Post, now: Date, graceMs: number): boolean {
  return post.attempts === 0 && now.getTime() - post.scheduledAt.getTime() > graceMs;
}

async function cached<K, V>(cache: Map<K, V>, key: K, load: (key: K) => Promise<V>): Promise<V> {
  if (cache.has(key)) return cache.get(key) as V;
  const value = await load(key);
  cache.set(key, value);
  return value;
}
