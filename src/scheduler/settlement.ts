import { SCHEDULER_ACTOR } from "../domain/audit.ts";
import { backoffDelay } from "../domain/backoff.ts";
import type { OutboxDraft } from "../domain/outbox.ts";
import type { PostMove, RecordedPost } from "../domain/ports.ts";
import { nextStatus, type PostEvent } from "../domain/post-lifecycle.ts";
import type { Post, PostChanges } from "../domain/posts.ts";
import { type PublishAccount, type PublishOutcome, publishCostUsd } from "../domain/publishing.ts";
import { findSentPost, onXSince, urlsIn } from "../domain/timeline-match.ts";
import type { Logger } from "../logger.ts";
import type { AccountHolds } from "./account-holds.ts";
import { GroupCommit } from "./group-commit.ts";
import type { RunnerDeps, RunnerEmit } from "./runner-deps.ts";

/** A clock error on Herald's side must not end with a timeline miss: look a little further back. */
const TIMELINE_SKEW_MS = 5 * 60 * 1000;

/**
 * How a claimed post ends: X's answer (or the timeline) turned into the post's next state, with
 * the messages that report it written in the same transaction.
 */
export class Settlement {
  /** Every status change the runner makes: publishes finishing together share a transaction. */
  private readonly moves: GroupCommit<PostMove, Post | null>;

  constructor(
    private readonly deps: RunnerDeps,
    /** This runner's id: a publishing post is settled only while its lease is this runner's. */
    private readonly owner: string,
    private readonly holds: AccountHolds,
    private readonly log: Logger,
    private readonly emit: RunnerEmit,
  ) {
    this.moves = new GroupCommit((moves) => deps.posts.transitionAll(moves));
  }

  async settle(
    post: Post,
    account: PublishAccount,
    text: string,
    outcome: PublishOutcome,
  ): Promise<void> {
    this.log.debug({ postId: post.id, outcome: outcome.kind }, "X answered");
    switch (outcome.kind) {
      case "published":
        if (outcome.limits.blockedUntil !== null) {
          await this.holds.hold(account.id, {
            reason: "rate_limit",
            until: outcome.limits.blockedUntil,
          });
        }
        await this.markPublished(post, outcome.xPostId, false);
        return;
      case "rate_limited":
        // X refused before creating anything: wait for its window, and do not count the attempt.
        await this.holds.hold(account.id, { reason: "rate_limit", until: outcome.resetAt });
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
        await this.retryLater(post, outcome.reason, this.backoffFrom(post), post.attempts);
        return;
    }
  }

  /**
   * True when the post is on the account's timeline (and is now marked published). When the
   * timeline cannot be read, the post is handed back for a later attempt and true is returned
   * too: nothing may be posted while it is unknown whether X already has it.
   */
  async foundOnTimeline(post: Post, account: PublishAccount, text: string): Promise<boolean> {
    const since = new Date(onXSince(post).getTime() - TIMELINE_SKEW_MS);
    const result = await this.deps.publisher.recentPosts(account, since);
    if (result.kind !== "ok") {
      const wait = result.kind === "rate_limited" ? result.resetAt : this.backoffFrom(post);
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

  async retryLater(post: Post, reason: string, at: Date, attempts: number): Promise<void> {
    const updated = await this.record(
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
    if (updated !== null) this.emit("post.retrying", { post: updated, reason, nextAttemptAt: at });
  }

  async fail(post: Post, reason: string): Promise<void> {
    const updated = await this.record(
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
    if (updated !== null) this.emit("post.failed", { post: updated, reason });
  }

  /**
   * The move through the group commit; null when someone else moved the post first. A publishing
   * post moves only while this runner holds its lease, and leaves it free.
   */
  tryMove(
    post: Post,
    event: PostEvent,
    changes: PostChanges,
    payload: Record<string, unknown>,
    notices?: PostMove["notices"],
  ): Promise<Post | null> {
    return this.moves.submit(this.moveOf(post, event, changes, payload, notices));
  }

  /**
   * Posts moved together in a transaction of their own, with the messages `together` renders
   * about all of those that moved; null for each post someone else moved first.
   */
  moveAll(
    posts: readonly Post[],
    event: PostEvent,
    changes: (post: Post) => { changes: PostChanges; payload: Record<string, unknown> },
    together?: (recorded: readonly RecordedPost[]) => OutboxDraft[],
  ): Promise<(Post | null)[]> {
    const moves = posts.map((post) => {
      const move = changes(post);
      return this.moveOf(post, event, move.changes, move.payload);
    });
    return this.deps.posts.transitionAll(moves, together);
  }

  /** A runner move: audited as the scheduler's; a publishing post's only while its lease is ours. */
  private moveOf(
    post: Post,
    event: PostEvent,
    changes: PostChanges,
    payload: Record<string, unknown>,
    notices?: PostMove["notices"],
  ): PostMove {
    const to = nextStatus(post.status, event, post.id);
    const held = post.status === "publishing";
    return {
      id: post.id,
      from: post.status,
      ...(held ? { leaseOwner: this.owner } : {}),
      changes: { ...changes, ...(held ? { leaseOwner: null } : {}), status: to },
      audit: {
        actor: SCHEDULER_ACTOR,
        action: `post.${event}`,
        payload: { from: post.status, to, ...payload },
      },
      ...(notices === undefined ? {} : { notices }),
    };
  }

  private async markPublished(post: Post, xPostId: string, recovered: boolean): Promise<void> {
    // Written with the publish, so no crash or Discord outage between the two can lose it.
    const { notices: render } = this.deps;
    const notices =
      render === undefined
        ? undefined
        : (recorded: RecordedPost) => render.published(recorded, xPostId);
    const now = this.deps.clock.now();
    const updated = await this.record(
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
    if (updated !== null) this.emit("post.published", { post: updated, xPostId, recovered });
  }

  /** X refused the account's keys: it is marked invalid (once), the team told in the same go. */
  private async invalidateAccount(xAccountId: number, reason: string): Promise<void> {
    const { notices } = this.deps;
    const invalidated = await this.deps.accounts.markInvalid(
      xAccountId,
      { actor: SCHEDULER_ACTOR, action: "x_account.invalid", payload: { reason } },
      (account) => notices?.accountInvalid(account, reason) ?? [],
    );
    if (invalidated !== null) this.emit("account.invalid", { xAccountId, reason });
  }

  /**
   * Records a claimed post's outcome; null when the post is no longer this runner's: it stalled
   * past its lease and another instance took the post over, whose outcome is that instance's to
   * record (the timeline check there finds what this runner may have posted).
   */
  private async record(
    post: Post,
    event: PostEvent,
    changes: PostChanges,
    payload: Record<string, unknown>,
    notices?: PostMove["notices"],
  ): Promise<Post | null> {
    const moved = await this.tryMove(post, event, changes, payload, notices);
    if (moved === null) {
      this.log.warn(
        { postId: post.id, event, ...payload },
        "lease lost: another instance took the post over, so this outcome is not recorded",
      );
    }
    return moved;
  }

  /** When to try again after X failed uncertainly: exponential backoff with jitter. */
  private backoffFrom(post: Post): Date {
    return new Date(
      this.deps.clock.now().getTime() + backoffDelay(post.attempts, this.deps.settings.backoff),
    );
  }
}
