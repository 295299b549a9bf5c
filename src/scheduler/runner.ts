import { EventEmitter } from "node:events";
import { SCHEDULER_ACTOR } from "../domain/audit.ts";
import type { Campaign } from "../domain/campaigns.ts";
import { composePostText } from "../domain/content-policy.ts";
import { isDomainError } from "../domain/errors.ts";
import type {
  CampaignRepository,
  Clock,
  PostRepository,
  PublishQueue,
  XAccountRepository,
} from "../domain/ports.ts";
import { nextStatus, type PostEvent } from "../domain/post-lifecycle.ts";
import type { Post, PostChanges } from "../domain/posts.ts";
import { nextAllowedAt, type PostingBudget } from "../domain/publish-budget.ts";
import {
  type PublishAccount,
  type Publisher,
  type PublishOutcome,
  publishCostUsd,
} from "../domain/publishing.ts";
import { findSentPost } from "../domain/timeline-match.ts";
import type { Logger } from "../logger.ts";
import { type BackoffPolicy, backoffDelay } from "./backoff.ts";

export interface RunnerSettings {
  /** How long a claim lasts without renewal; a crashed attempt is recovered after it. */
  leaseMs: number;
  /** Publish attempts before a post that X keeps failing on becomes `failed`. */
  maxAttempts: number;
  /** After downtime, posts late by more than this become `missed` instead of going out. */
  graceMs: number;
  /** Posts in flight to X at once. */
  concurrency: number;
  budget: PostingBudget;
  backoff: BackoffPolicy;
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
  "post.retrying": [{ post: Post; reason: string; nextAttemptAt: Date }];
  "account.invalid": [{ xAccountId: number; reason: string }];
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
}

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
  private stopping = false;
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Accounts that may not post before an instant (local budget or X's headers). */
  private readonly accountWaits = new Map<number, Date>();
  private readonly log: Logger;

  constructor(private readonly deps: RunnerDeps) {
    super();
    this.log = deps.logger.child({ component: "runner" });
  }

  async start(): Promise<void> {
    const now = this.deps.clock.now();
    await this.recoverExpired(this.deps.settings.reclaimAllLeasesAtStart ? "all" : now);
    await this.markMissed(new Date(now.getTime() - this.deps.settings.graceMs));
    this.wake();
  }

  /** Re-arms the runner after anything changed (a post approved, rescheduled, the clock moved). */
  wake(): void {
    if (this.stopping) return;
    void this.tick();
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
    await Promise.race([Promise.allSettled([...this.inFlight.values()]), timedOut]);
    clearTimeout(deadline);
    if (this.inFlight.size > 0) {
      // Their leases expire and the next start recovers them through the timeline check.
      this.log.warn({ posts: [...this.inFlight.keys()] }, "stopped with publishes still in flight");
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    let nextWakeAt: Date | null = null;
    try {
      // The wake-up time is read inside the loop: a wake that arrives while it is being read
      // (a post handed back, approved) may make its answer stale, and must not be slept through.
      do {
        this.tickAgain = false;
        const now = this.deps.clock.now();
        await this.recoverExpired(now);
        await this.publishDue(now);
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

  private async publishDue(now: Date): Promise<void> {
    const recentByAccount = new Map<number, Date[]>();
    const campaigns = new Map<number, Campaign | null>();
    for (;;) {
      if (this.stopping) return;
      const blocked = [...this.accountWaits.entries()]
        .filter(([, until]) => until > now)
        .map(([account]) => account);
      const due = (await this.deps.queue.due(now, BATCH, blocked)).filter(
        (post) => !this.inFlight.has(post.id),
      );
      if (due.length === 0) return;
      let claimedAny = false;
      for (const post of due) {
        // Wait first: a publish that just finished may have told us the account is blocked.
        await this.waitForSlot();
        if (this.stopping) return;
        const current = this.deps.clock.now();
        const campaign = await cached(campaigns, post.campaignId, (id) =>
          this.deps.campaigns.findById(id),
        );
        const accountId = campaign?.xAccountId ?? null;
        if (accountId !== null) {
          if ((this.accountWaits.get(accountId)?.getTime() ?? 0) > current.getTime()) continue;
          const recent = await cached(recentByAccount, accountId, (id) =>
            this.deps.queue.publishTimes(id, new Date(current.getTime() - DAY_MS)),
          );
          const allowedAt = nextAllowedAt(recent, this.deps.settings.budget, current);
          if (allowedAt > current) {
            this.accountWaits.set(accountId, allowedAt);
            this.log.info({ xAccountId: accountId, until: allowedAt }, "posting budget reached");
            continue;
          }
          recent.push(current);
        }
        const leaseUntil = new Date(current.getTime() + this.deps.settings.leaseMs);
        const claimed = await this.deps.posts.claim(post.id, current, leaseUntil);
        if (claimed === null) continue;
        claimedAny = true;
        this.track(claimed.id, this.publishClaimed(claimed, campaign));
      }
      if (!claimedAny) return;
    }
  }

  private async waitForSlot(): Promise<void> {
    while (this.inFlight.size >= this.deps.settings.concurrency) {
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

  private async publishClaimed(post: Post, campaign: Campaign | null): Promise<void> {
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
      const account = await this.accountFor(campaign.xAccountId, post);
      if (account === null) return;
      const text = composePostText(post.text, post.affiliateLink?.trackedUrl ?? null);

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

  private async accountFor(xAccountId: number, post: Post): Promise<PublishAccount | null> {
    const account = await this.deps.accounts.findById(xAccountId);
    if (account === null) {
      await this.fail(
        post,
        "The campaign's X account no longer exists. Connect one with /x connect.",
      );
      return null;
    }
    if (account.status === "invalid") {
      // Another post just found the account's credentials refused: hold this one too.
      await this.retryLater(
        post,
        `The X account @${account.handle} needs reconnecting (/x connect).`,
        this.deps.clock.now(),
        post.attempts - 1,
      );
      return null;
    }
    try {
      const credentials = await this.deps.accounts.credentialsOf(xAccountId);
      return { id: account.id, xUserId: account.xUserId, credentials };
    } catch (error) {
      if (isDomainError(error)) {
        await this.fail(post, `The X account @${account.handle} cannot be used: ${error.message}`);
        return null;
      }
      throw error;
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
          this.accountWaits.set(account.id, outcome.limits.blockedUntil);
        }
        await this.markPublished(post, outcome.xPostId, false);
        return;
      case "rate_limited":
        // X refused before creating anything: wait for its window, and do not count the attempt.
        this.accountWaits.set(account.id, outcome.resetAt);
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
    const now = this.deps.clock.now();
    const updated = await this.move(
      post,
      "publish_succeeded",
      {
        xPostId,
        publishedAt: now,
        costUsd: publishCostUsd(post.affiliateLink !== null || /https?:\/\//.test(post.text)),
        leaseUntil: null,
        nextAttemptAt: null,
        lastError: null,
      },
      { xPostId, recovered },
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

  private move(
    post: Post,
    event: PostEvent,
    changes: PostChanges,
    payload: Record<string, unknown>,
  ): Promise<Post> {
    const to = nextStatus(post.status, event, post.id);
    return this.deps.posts.transition(
      post.id,
      post.status,
      { ...changes, status: to },
      {
        actor: SCHEDULER_ACTOR,
        action: `post.${event}`,
        payload: { from: post.status, to, ...payload },
      },
    );
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
        await this.waitForSlot();
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
      const account = await this.accountFor(campaign.xAccountId, post);
      if (account === null) return;
      const text = composePostText(post.text, post.affiliateLink?.trackedUrl ?? null);
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

  /** After downtime: approved posts late by more than the grace window are not sent late. */
  private async markMissed(cutoff: Date): Promise<void> {
    for (;;) {
      const overdue = await this.deps.queue.overdue(cutoff, BATCH);
      for (const post of overdue) {
        const updated = await this.move(
          post,
          "mark_missed",
          { nextAttemptAt: null },
          {
            scheduledAt: post.scheduledAt.toISOString(),
          },
        );
        this.emit("post.missed", { post: updated });
      }
      if (overdue.length < BATCH) return;
    }
  }
}

async function cached<K, V>(cache: Map<K, V>, key: K, load: (key: K) => Promise<V>): Promise<V> {
  if (cache.has(key)) return cache.get(key) as V;
  const value = await load(key);
  cache.set(key, value);
  return value;
}
