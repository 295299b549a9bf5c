import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from "discord.js";
import type { DryReason } from "../domain/autopilot-plan.ts";
import type { AutopilotNotices } from "../domain/autopilot-ports.ts";
import { APPROVAL_CHANNEL } from "../domain/outbox.ts";
import { formatLocal } from "../domain/schedule.ts";
import { autopilotButtonId } from "./custom-ids.ts";

/** How many posts a digest names line by line; "Approve all" still covers every one. */
const DIGEST_LISTED = 15;

const FIXES: Record<DryReason, string> = {
  empty_library: "its library is empty: add items with /content add or /content import",
  nothing_usable:
    "every item is expired, used up or used within min_repeat_days: add items, or lower min_repeat_days with /campaign autopilot",
  texts_used_up:
    "every text its items can make was posted by the team in the last 30 days: add spintax variations ({a|b}) or new items",
};

/** Autopilot's messages, in the approval channel where approvers work. */
export const autopilotNotices: AutopilotNotices = {
  digest(campaign, posts, digestId) {
    const count = posts.length === 1 ? "1 post" : `${posts.length} posts`;
    const lines = posts
      .slice(0, DIGEST_LISTED)
      .map(
        (post) =>
          `#${post.id} ${formatLocal(post.scheduledAt, campaign.timezone)}: ${post.text.replace(/\s+/g, " ").slice(0, 80)}`,
      );
    const more = posts.length > DIGEST_LISTED ? [`…and ${posts.length - DIGEST_LISTED} more`] : [];
    const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId(autopilotButtonId("approve", digestId))
        .setLabel(`Approve all ${posts.length}`)
        .setStyle(ButtonStyle.Success),
      new ButtonBuilder()
        .setCustomId(autopilotButtonId("review", digestId))
        .setLabel("Review one by one")
        .setStyle(ButtonStyle.Secondary),
    );
    return [
      {
        guildId: campaign.guildId,
        channelId: APPROVAL_CHANNEL,
        kind: "notice",
        payload: {
          content: [
            `Autopilot queued ${count} for **${campaign.name}**, waiting for approval:`,
            ...lines,
            ...more,
          ]
            .join("\n")
            .slice(0, 1900),
          components: [buttons.toJSON()],
        },
      },
    ];
  },

  dry(campaign, emptySlots, reasons) {
    const slots = emptySlots === 1 ? "1 slot" : `${emptySlots} slots`;
    return [
      {
        guildId: campaign.guildId,
        channelId: APPROVAL_CHANNEL,
        kind: "notice",
        payload: {
          content: `Autopilot cannot fill ${slots} of **${campaign.name}** in the next 24 hours: ${reasons.map((reason) => FIXES[reason]).join("; ")}.`,
        },
      },
    ];
  },
};
