import type { Post } from "../domain/posts.ts";
import type { Logger } from "../logger.ts";
import type { InFlight } from "./in-flight.ts";
import type { Leases } from "./leases.ts";
import type { PublishAttempt } from "./publish-attempt.ts";
import { BATCH, type RunnerDeps } from "./runner-deps.ts";
import type { Settlement } from "./settlement.ts";

/**
 * Posts whose claim outlived its lease: an attempt that crashed (or stalled) mid-publish. X may
 * have the post already, so the account's timeline decides: found, it is published; not found,
 * it goes back to the queue for another attempt.
 */
export class Recovery {
  constructor(
    private readonly deps: RunnerDeps,
    private readonly leases: Leases,
    private readonly inFlight: InFlight,
    private readonly attempt: PublishAttempt,
    private readonly settlement: Settlement,
    private readonly log: Logger,
  ) {}

  /** Takes over the posts whose lease ended before `cutoff` (or all of them) and recovers each. */
  async recoverExpired(cutoff: Date | "all"): Promise<void> {
    for (;;) {
      const taken = (
        await this.deps.queue.takeOverExpired(
          cutoff,
          this.leases.untilFromNow(),
          BATCH,
          this.leases.owner,
        )
      ).filter((post) => !this.inFlight.has(post.id));
      if (taken.length === 0) return;
      for (const post of taken) {
        await this.inFlight.waitForSlots();
        this.inFlight.track(post.id, this.recover(post));
      }
      if (taken.length < BATCH) return;
    }
  }

  private async recover(post: Post): Promise<void> {
    const lease = this.leases.keep(post);
    try {
      this.log.info(
        { postId: post.id, attempts: post.attempts },
        "recovering an interrupted publish",
      );
      const campaign = await this.deps.campaigns.findById(post.campaignId);
      if (campaign?.xAccountId == null) {
        await this.settlement.retryLater(
          post,
          "Interrupted while publishing",
          this.deps.clock.now(),
          post.attempts,
        );
        return;
      }
      const account = await this.attempt.accountFor(
        post,
        this.attempt.lookUpAccount(campaign.xAccountId),
      );
      if (account === null) return;
      const text = await this.attempt.textOf(post);
      if (await this.settlement.foundOnTimeline(post, account, text)) return;
      await this.settlement.retryLater(
        post,
        "Interrupted while publishing; not on X, so trying again",
        this.deps.clock.now(),
        post.attempts,
      );
    } finally {
      lease.release();
    }
  }
}
