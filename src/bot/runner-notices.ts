import { APPROVAL_CHANNEL } from "../domain/outbox.ts";
import type { RunnerNotices } from "../domain/ports.ts";
import { postUrl } from "./notifier.ts";

/**
 * The messages the runner writes with its moves, as the team reads them in the approval channel
 * (resolved when sent, so a channel set after the publish still gets the notice).
 */
export const runnerNotices: RunnerNotices = {
  published({ post, guildId, campaignName, accountHandle }, xPostId) {
    return [
      {
        guildId,
        channelId: APPROVAL_CHANNEL,
        kind: "post.published",
        targetPostId: post.id,
        payload: {
          content: `Published post #${post.id} (${campaignName}): ${postUrl(accountHandle, xPostId)}`,
        },
      },
    ];
  },
};
