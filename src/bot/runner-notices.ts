import { APPROVAL_CHANNEL, type OutboxDraft } from "../domain/outbox.ts";
import type { CampaignRepository, RunnerNotices, XAccountRepository } from "../domain/ports.ts";
import type { Post } from "../domain/posts.ts";
import { postUrl } from "./notifier.ts";

/**
 * The messages the runner writes with its moves, as the team reads them in the approval channel
 * (resolved when sent, so a channel set after the publish still gets the notice).
 */
export class OutboxRunnerNotices implements RunnerNotices {
  constructor(
    private readonly campaigns: Pick<CampaignRepository, "findById">,
    private readonly accounts: Pick<XAccountRepository, "findById">,
  ) {}

  async published(post: Post, xPostId: string): Promise<OutboxDraft[]> {
    const campaign = await this.campaigns.findById(post.campaignId);
    if (campaign === null) return [];
    const account =
      campaign.xAccountId === null ? null : await this.accounts.findById(campaign.xAccountId);
    return [
      {
        guildId: campaign.guildId,
        channelId: APPROVAL_CHANNEL,
        kind: "post.published",
        targetPostId: post.id,
        payload: {
          content: `Published post #${post.id} (${campaign.name}): ${postUrl(account?.handle ?? null, xPostId)}`,
        },
      },
    ];
  }
}
