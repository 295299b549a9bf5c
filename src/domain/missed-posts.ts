import { DomainError } from "./errors.ts";
import type { ApprovalNotices } from "./notices.ts";
import type { CampaignRepository, Clock, PostMove, PostRepository } from "./ports.ts";
import { nextStatus } from "./post-lifecycle.ts";
import type { Post } from "./posts.ts";
import { nextFreeSlot } from "./schedule.ts";

/** Most missed posts one press reschedules; a campaign rarely misses more in one hold. */
const MAX_AT_ONCE = 100;

/**
 * The "Reschedule all to the next free slots" button of a missed-posts announcement: each missed
 * post of the campaign, oldest first, takes the next free slot of the campaign's schedule and is
 * approved again (it was approved before it missed its time).
 */
export class MissedPosts {
  constructor(
    private readonly deps: {
      campaigns: Pick<CampaignRepository, "findById">;
      posts: Pick<PostRepository, "list" | "takenSlots" | "transitionAll">;
      clock: Clock;
      /** Their approval messages, brought up to date with the move. */
      notices: Pick<ApprovalNotices, "changed">;
      /** Told after the posts moved, so the runner re-arms its timer and the outbox delivers. */
      onChange?: () => void;
    },
  ) {}

  async rescheduleAll(guildId: string, campaignId: number, actor: string): Promise<Post[]> {
    const campaign = await this.deps.campaigns.findById(campaignId);
    if (campaign === null || campaign.guildId !== guildId) {
      throw new DomainError("campaign_not_found", `Campaign #${campaignId} no longer exists.`);
    }
    const missed = (
      await this.deps.posts.list({ guildId, campaignId, status: "missed", limit: MAX_AT_ONCE })
    ).reverse();
    if (missed.length === 0) {
      throw new DomainError(
        "invalid_transition",
        `No post of ${campaign.name} is missed any more; /post list shows where they are.`,
      );
    }
    const now = this.deps.clock.now();
    const taken = await this.deps.posts.takenSlots(campaign.id, now);
    const moves = missed.map((post): PostMove => {
      const scheduledAt = nextFreeSlot(campaign.schedule, campaign.timezone, now, taken);
      taken.push(scheduledAt);
      const to = nextStatus(post.status, "reschedule", post.id);
      return {
        id: post.id,
        from: post.status,
        changes: { status: to, scheduledAt, nextAttemptAt: null },
        audit: {
          actor,
          action: "post.reschedule",
          payload: {
            from: post.status,
            to,
            scheduledAt: { from: post.scheduledAt.toISOString(), to: scheduledAt.toISOString() },
          },
        },
        notices: (recorded) => this.deps.notices.changed(recorded),
      };
    });
    const moved = (await this.deps.posts.transitionAll(moves)).filter(
      (post): post is Post => post !== null,
    );
    this.deps.onChange?.();
    return moved;
  }
}
