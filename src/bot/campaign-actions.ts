import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type InteractionEditReplyOptions,
} from "discord.js";
import type { Campaign } from "../domain/campaigns.ts";
import { requireRole } from "../domain/roles.ts";
import { formatLocal } from "../domain/schedule.ts";
import { actorOf, auditActor } from "./actor.ts";
import type { BotContext, Reply } from "./context.ts";
import { type CampaignTarget, campaignButtonId } from "./custom-ids.ts";

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** `/campaign archive`'s answer: what archiving would cancel, and the button that does it. */
export function archiveConfirmation(
  campaign: Campaign,
  waiting: number,
): InteractionEditReplyOptions {
  const cancels =
    waiting === 0
      ? "No posts are waiting, so none is cancelled."
      : `This cancels ${plural(waiting, "post", "posts")} not yet published (waiting for approval, approved, failed or missed).`;
  return {
    content: [
      `Archive **${campaign.name}**? ${cancels}`,
      "Its name becomes free for a new campaign; reports keep the archived one.",
    ].join("\n"),
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(campaignButtonId("archive", campaign.id))
          .setLabel(
            waiting === 0 ? "Archive" : `Archive and cancel ${plural(waiting, "post", "posts")}`,
          )
          .setStyle(ButtonStyle.Danger),
      ),
    ],
  };
}

/** A campaign's button; the role is checked on the press, since roles change. */
export async function runCampaignAction(
  target: CampaignTarget,
  interaction: ButtonInteraction,
  ctx: BotContext,
): Promise<Reply> {
  return target.action === "archive"
    ? archive(target, interaction, ctx)
    : rescheduleMissed(target, interaction, ctx);
}

/** "Reschedule all to the next free slots" under a missed-posts announcement. */
async function rescheduleMissed(
  target: CampaignTarget,
  interaction: ButtonInteraction,
  ctx: BotContext,
): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "approver", "reschedule missed posts");
  const moved = await ctx.missed.rescheduleAll(
    ctx.guildId,
    target.campaignId,
    auditActor(interaction),
  );
  const campaign = await ctx.campaigns.getById(target.campaignId);
  const times = moved
    .map((post) => `#${post.id} ${formatLocal(post.scheduledAt, campaign.timezone)}`)
    .join(", ");
  return {
    content:
      `Rescheduled ${plural(moved.length, "missed post", "missed posts")} of **${campaign.name}**, still approved: ${times}.`.slice(
        0,
        1900,
      ),
  };
}

/** The archive Confirm button. */
async function archive(
  target: CampaignTarget,
  interaction: ButtonInteraction,
  ctx: BotContext,
): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "content_manager", "archive campaigns");
  const { campaign, cancelled } = await ctx.campaigns.archive(
    ctx.guildId,
    target.campaignId,
    auditActor(interaction),
  );
  return {
    content: `Campaign **${campaign.name}** is now archived: ${plural(cancelled.length, "post", "posts")} cancelled. The name is free for a new campaign.`,
  };
}
