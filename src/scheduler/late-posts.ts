import type { Post } from "../domain/posts.ts";
import type { RunnerDeps, RunnerEmit } from "./runner-deps.ts";
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
 * one hold made miss their time are announced together, one message per campaign, written with
 * the moves.
 */
export class LatePosts {
  constructor(
    private readonly deps: Pick<RunnerDeps, "notices">,
    private readonly settlement: Settlement,
    private readonly emit: RunnerEmit,
  ) {}

  /** Marks the posts missed; returns those that were (not those someone moved meanwhile). */
  async markMissed(posts: readonly Post[]): Promise<Post[]> {
    const byCampaign = new Map<number, Post[]>();
    for (const post of posts) {
      byCampaign.set(post.campaignId, [...(byCampaign.get(post.campaignId) ?? []), post]);
    }
    const { notices } = this.deps;
    const missed: Post[] = [];
    for (const [campaignId, late] of byCampaign) {
      const moved = await this.settlement.moveAll(
        late,
        "mark_missed",
        (post) => ({
          changes: { nextAttemptAt: null },
          payload: { scheduledAt: post.scheduledAt.toISOString() },
        }),
        notices === undefined ? undefined : (recorded) => notices.missed(recorded),
      );
      // A post someone moved meanwhile (cancelled, rescheduled) is theirs now, not missed.
      const ofCampaign = moved.filter((post): post is Post => post !== null);
      if (ofCampaign.length === 0) continue;
      for (const post of ofCampaign) this.emit("post.missed", { post });
      this.emit("posts.missed", { campaignId, posts: ofCampaign });
      missed.push(...ofCampaign);
    }
    return missed;
  }
}
