import type { ButtonInteraction } from "discord.js";
import type { Campaign } from "../domain/campaigns.ts";
import { requireRole } from "../domain/roles.ts";
import { formatLocal } from "../domain/schedule.ts";
import { actorOf, auditActor } from "./actor.ts";
import type { BotContext, Reply } from "./context.ts";
import type { AutopilotAction } from "./custom-ids.ts";

/** Discord's link to a message, which opens it in the channel. */
function messageLink(guildId: string, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}

/**
 * The digest's buttons. "Approve all" approves exactly the posts the digest listed; "Review one
 * by one" answers with a link to each listed post's own approval message.
 */
export async function runAutopilotAction(
  target: { action: AutopilotAction; digestId: number },
  interaction: ButtonInteraction,
  ctx: BotContext,
): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "approver", "approve autopilot posts");
  if (target.action === "review") return review(target.digestId, ctx);

  const { approved, skipped } = await ctx.autopilot.approveDigest(
    target.digestId,
    ctx.guildId,
    auditActor(interaction),
  );
  const lines = [
    `Approved ${approved.length === 1 ? "1 post" : `${approved.length} posts`}${approved.length === 0 ? "" : `: ${approved.map((post) => `#${post.id}`).join(", ")}`}.`,
    ...skipped.map((skip) => `#${skip.postId} left as it is: ${skip.reason}`),
  ];
  return lines.join("\n").slice(0, 1900);
}

async function review(digestId: number, ctx: BotContext): Promise<Reply> {
  const postIds = await ctx.autopilot.digestPostIds(digestId, ctx.guildId);
  const lines: string[] = [];
  // A digest lists one campaign's posts: its time zone is read once.
  const campaigns = new Map<number, Campaign>();
  for (const postId of postIds) {
    const post = await ctx.posts.get(postId);
    const campaign =
      campaigns.get(post.campaignId) ?? (await ctx.campaigns.getById(post.campaignId));
    campaigns.set(post.campaignId, campaign);
    const where =
      post.approvalMessage === null
        ? "its approval message is on its way"
        : messageLink(ctx.guildId, post.approvalMessage.channelId, post.approvalMessage.messageId);
    lines.push(
      `#${post.id} ${formatLocal(post.scheduledAt, campaign.timezone)} (${post.status.replace("_", " ")}): ${where}`,
    );
  }
  return lines.join("\n").slice(0, 1900) || "This list has no posts.";
}
