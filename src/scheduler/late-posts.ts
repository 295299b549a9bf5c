import type { Post } from "../domain/posts.ts";
import type { RunnerEmit } from "./runner-deps.ts";
import type { Settlement } from "./settlement.ts";

/**
 * Whether a due post was held past the grace window. Only a post not tried yet: one being retried
 * after X failed was on time when it was first sent.
 */
export function isTooLate(post: Post, now: Date, graceMs: number): boolean {
  return post.attempts === 0 && now.getTime() - post.scheduledAt.getTime() > graceMs;
}

/**
 * The end of every hold (downtime, a pause, an unusable account, a budget, X's rate limit) by one
 * rule: a post later than the grace window is not sent late but becomes `missed`, and the posts
 * one hold made miss their time are announced together, one message per campaign.
 */
export class LatePosts {
  constructor(
    private readonly settlement: Settlement,
    private readonly emit: RunnerEmit,
  ) {}

  /** Marks the posts missed; returns those that were (not those someone moved meanwhile). */
  async markMissed(posts: readonly Post[]): Promise<Post[]> {
    const moved = await Promise.all(
      posts.map((post) =>
        this.settlement.tryMove(
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
  announce(missed: readonly Post[]): void {
    const byCampaign = new Map<number, Post[]>();
    for (const post of missed) {
      byCampaign.set(post.campaignId, [...(byCampaign.get(post.campaignId) ?? []), post]);
    }
    for (const [campaignId, posts] of byCampaign) this.emit("posts.missed", { campaignId, posts });
  }
}
