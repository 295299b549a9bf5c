import type { ApprovalNotices } from "../domain/notices.ts";
import { APPROVAL_CHANNEL } from "../domain/outbox.ts";
import { approvalPayload, rejectionNotice } from "./render/post-message.ts";

/**
 * A post's messages in the approval channel, as the outbox sends them: its approval message
 * (shown, then brought up to date with every change) and the reason of a rejection. The channel
 * is resolved when sent, so a post queued before an admin set it still lands there.
 */
export const approvalNotices: ApprovalNotices = {
  waiting: ({ post, campaign }) => [
    {
      guildId: campaign.guildId,
      channelId: APPROVAL_CHANNEL,
      kind: "approval.create",
      targetPostId: post.id,
      payload: approvalPayload(post, campaign),
    },
  ],
  changed: ({ post, campaign }) => [
    {
      guildId: campaign.guildId,
      channelId: APPROVAL_CHANNEL,
      kind: "approval.update",
      targetPostId: post.id,
      payload: approvalPayload(post, campaign),
    },
  ],
  rejected: ({ post, campaign }) => [
    {
      guildId: campaign.guildId,
      channelId: APPROVAL_CHANNEL,
      kind: "rejection",
      targetPostId: post.id,
      payload: rejectionNotice(post, campaign),
    },
  ],
};
