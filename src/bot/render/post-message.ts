import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  type MessageEditOptions,
} from "discord.js";
import type { Campaign } from "../../domain/campaigns.ts";
import {
  composePostText,
  MAX_WEIGHTED_LENGTH,
  weightedLength,
} from "../../domain/content-policy.ts";
import type { OutboxPayload } from "../../domain/outbox.ts";
import { canTransition, type PostEvent, type PostStatus } from "../../domain/post-lifecycle.ts";
import type { Post } from "../../domain/posts.ts";
import { formatLocal } from "../../domain/schedule.ts";
import { type PostAction, postButtonId } from "../custom-ids.ts";

const STATUS_LABELS: Record<PostStatus, string> = {
  pending_approval: "Waiting for approval",
  approved: "Approved",
  publishing: "Publishing",
  published: "Published",
  rejected: "Rejected",
  cancelled: "Cancelled",
  failed: "Failed",
  missed: "Missed",
};

const STATUS_COLOURS: Record<PostStatus, number> = {
  pending_approval: 0xf1c40f,
  approved: 0x2ecc71,
  publishing: 0x3498db,
  published: 0x1d9bf0,
  rejected: 0xe74c3c,
  cancelled: 0x7f8c8d,
  failed: 0xe74c3c,
  missed: 0xe67e22,
};

export function statusLabel(status: PostStatus): string {
  return STATUS_LABELS[status];
}

/** `<t:…>` renders in each reader's own time zone and language. */
export function discordTime(instant: Date, style: "f" | "R" | "F" = "f"): string {
  return `<t:${Math.floor(instant.getTime() / 1000)}:${style}>`;
}

/** The Discord user id in an audit actor ("discord:123"); null for the scheduler and the like. */
export function discordUserOf(actor: string): string | null {
  return actor.startsWith("discord:") ? actor.slice("discord:".length) : null;
}

/** "discord:123" (the audit actor form) → a mention. */
export function mentionActor(actor: string): string {
  const id = discordUserOf(actor);
  return id === null ? actor : `<@${id}>`;
}

/** The text exactly as X will receive it. */
export function publishedText(post: Post): string {
  return composePostText(post.text, post.affiliateLink?.trackedUrl ?? null);
}

function decisionLine(post: Post): string | null {
  if (post.approval === null) return null;
  const who = mentionActor(post.approval.by);
  const when = discordTime(post.approval.at);
  return post.approval.decision === "approved"
    ? `Approved by ${who} on ${when}`
    : `Rejected by ${who} on ${when}: ${post.approval.reason ?? "no reason given"}`;
}

export function postEmbed(post: Post, campaign: Campaign): EmbedBuilder {
  const text = publishedText(post);
  const embed = new EmbedBuilder()
    .setTitle(`Post #${post.id} · ${campaign.name}`)
    .setDescription(text.slice(0, 4000))
    .setColor(STATUS_COLOURS[post.status])
    .addFields(
      { name: "Status", value: STATUS_LABELS[post.status], inline: true },
      {
        name: "Scheduled",
        value: `${formatLocal(post.scheduledAt, campaign.timezone)} (${discordTime(post.scheduledAt, "R")})`,
        inline: true,
      },
      { name: "Length", value: `${weightedLength(text)}/${MAX_WEIGHTED_LENGTH}`, inline: true },
      { name: "Link", value: post.affiliateLink?.trackedUrl.slice(0, 1000) ?? "none" },
      {
        name: "Adult",
        value: campaign.adult ? "yes: media is marked sensitive on X" : "no",
        inline: true,
      },
      { name: "Author", value: mentionActor(post.createdBy), inline: true },
    );
  const decision = decisionLine(post);
  if (decision !== null) embed.addFields({ name: "Decision", value: decision.slice(0, 1000) });
  if (post.lastError !== null && (post.status === "failed" || post.status === "approved")) {
    embed.addFields({ name: "Last error", value: post.lastError.slice(0, 1000) });
  }
  return embed;
}

/**
 * Tells the member who queued a rejected post why, in the approval channel. It pings that member
 * and no one else: the reason and the campaign name are the team's words and may hold mentions.
 */
export function rejectionNotice(post: Post, campaign: Campaign): OutboxPayload {
  const author = discordUserOf(post.createdBy);
  const reason = post.approval?.reason ?? "no reason given";
  const content =
    `${author === null ? "" : `<@${author}> `}Post #${post.id} (${campaign.name}) was rejected ` +
    `by ${mentionActor(post.approval?.by ?? "someone")}: ${reason}\n` +
    `Edit it (Edit button or /post edit) and it waits for approval again.`;
  return {
    content: content.slice(0, 2000),
    allowed_mentions: { parse: [], users: author === null ? [] : [author] },
  };
}

/** Every post action is also the lifecycle event it causes. */
const BUTTONS: { action: PostAction & PostEvent; label: string; style: ButtonStyle }[] = [
  { action: "approve", label: "Approve", style: ButtonStyle.Success },
  { action: "reject", label: "Reject", style: ButtonStyle.Danger },
  { action: "edit", label: "Edit", style: ButtonStyle.Secondary },
  { action: "reschedule", label: "Reschedule", style: ButtonStyle.Secondary },
  { action: "retry", label: "Retry", style: ButtonStyle.Primary },
];

/** A button for each move the lifecycle allows from the post's status. */
function approvalButtons(post: Post): ActionRowBuilder<ButtonBuilder> {
  const buttons = BUTTONS.filter(
    ({ action }) => action !== "retry" || canTransition(post.status, "retry"),
  ).map(({ action, label, style }) =>
    new ButtonBuilder()
      .setCustomId(postButtonId(action, post.id))
      .setLabel(label)
      .setStyle(style)
      .setDisabled(!canTransition(post.status, action)),
  );
  return new ActionRowBuilder<ButtonBuilder>().addComponents(buttons);
}

/**
 * The approval message: the post, and a button for each move the lifecycle allows from its
 * status (an approved post can still be moved or edited; a failed one retried). Retry appears only
 * while it can be used, so a waiting post's message keeps its four familiar buttons.
 */
export function approvalMessage(
  post: Post,
  campaign: Campaign,
): Required<Pick<MessageEditOptions, "embeds" | "components">> {
  return { embeds: [postEmbed(post, campaign)], components: [approvalButtons(post)] };
}

/** The approval message as Discord JSON, for the outbox. */
export function approvalPayload(post: Post, campaign: Campaign): OutboxPayload {
  return {
    embeds: [postEmbed(post, campaign).toJSON()],
    components: [approvalButtons(post).toJSON()],
  };
}
