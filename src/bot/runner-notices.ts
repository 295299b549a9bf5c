import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from "discord.js";
import { APPROVAL_CHANNEL } from "../domain/outbox.ts";
import type { RunnerNotices } from "../domain/ports.ts";
import { approvalNotices } from "./approval-notices.ts";
import { postButtonId } from "./custom-ids.ts";
import { postUrl } from "./notifier.ts";

/**
 * The messages the runner writes with its moves, as the team reads them in the approval channel
 * (resolved when sent, so a channel set after the publish still gets the notice): the notice, and
 * the post's approval message brought up to date.
 */
export const runnerNotices: RunnerNotices = {
  published(recorded, xPostId) {
    const { post, guildId, campaignName, accountHandle } = recorded;
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
      ...approvalNotices.changed(recorded),
    ];
  },
  failed(recorded, reason) {
    const { post, guildId } = recorded;
    const retry = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId(postButtonId("retry", post.id))
        .setLabel("Retry")
        .setStyle(ButtonStyle.Primary),
    );
    return [
      {
        guildId,
        channelId: APPROVAL_CHANNEL,
        kind: "post.failed",
        targetPostId: post.id,
        payload: {
          content: `Post #${post.id} failed: ${reason}`.slice(0, 1900),
          components: [retry.toJSON()],
        },
      },
      ...approvalNotices.changed(recorded),
    ];
  },
};
