import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from "discord.js";
import { APPROVAL_CHANNEL, type OutboxDraft, type OutboxPayload } from "../domain/outbox.ts";
import type { AccountHold, HoldReason, RunnerNotices } from "../domain/ports.ts";
import type { Post } from "../domain/posts.ts";
import type { XAccount } from "../domain/x-accounts.ts";
import { approvalNotices } from "./approval-notices.ts";
import { campaignButtonId, postButtonId } from "./custom-ids.ts";
import { discordTime } from "./render/post-message.ts";

/** The URL of a post on x.com; X redirects /i/web/status/<id> when the handle is unknown. */
export function postUrl(handle: string | null, xPostId: string): string {
  return handle === null
    ? `https://x.com/i/web/status/${xPostId}`
    : `https://x.com/${handle}/status/${xPostId}`;
}

/** How many posts a missed-posts announcement names; the count covers the rest. */
const MISSED_LISTED = 5;

/** One message for the posts of a campaign that one hold made miss their time. */
export function missedSummary(campaignName: string, posts: readonly Post[]): string {
  const count = posts.length === 1 ? "1 post" : `${posts.length} posts`;
  const listed = posts
    .slice(0, MISSED_LISTED)
    .map((post) => `#${post.id} ${post.text.replace(/\s+/g, " ").slice(0, 60)}`);
  const more = posts.length > MISSED_LISTED ? [`…and ${posts.length - MISSED_LISTED} more`] : [];
  return [
    `${count} of ${campaignName} missed ${posts.length === 1 ? "its" : "their"} time while held back (Herald down, the campaign paused, the account unusable or over its budget) and ${posts.length === 1 ? "was" : "were"} not sent late:`,
    ...listed,
    ...more,
  ]
    .join("\n")
    .slice(0, 1900);
}

/** Why a hold's posts wait, in the team's words: what ends it, and who can end it sooner. */
const HOLD_REASONS: Record<HoldReason, (detail: string | undefined) => string> = {
  budget: () => "its posting budget is used up (/x budget sets it)",
  rate_limit: () => "X's rate limit says to wait",
  x_budget: (detail) =>
    `${detail ?? "this month's X budget is used up"}; raise the budget with /settings set x_monthly_budget, or turn x_budget_stops_posting off`,
};

/** One rule for every hold, so one message: until when, why, and what happens then. */
export function holdNotice(handle: string, hold: AccountHold): string {
  return `Posts of @${handle} are held until ${discordTime(hold.until)} (${discordTime(hold.until, "R")}): ${HOLD_REASONS[hold.reason](hold.detail)}. They go out then, or are announced as missed when by then later than the grace window.`;
}

function button(id: string, label: string, style: ButtonStyle) {
  return new ActionRowBuilder<ButtonBuilder>()
    .addComponents(new ButtonBuilder().setCustomId(id).setLabel(label).setStyle(style))
    .toJSON();
}

function toApprovalChannel(
  guildId: string,
  kind: OutboxDraft["kind"],
  payload: OutboxPayload,
): OutboxDraft {
  return { guildId, channelId: APPROVAL_CHANNEL, kind, payload };
}

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
        ...toApprovalChannel(guildId, "post.published", {
          content: `Published post #${post.id} (${campaignName}): ${postUrl(accountHandle, xPostId)}`,
        }),
        targetPostId: post.id,
      },
      ...approvalNotices.changed(recorded),
    ];
  },
  failed(recorded, reason) {
    const { post, guildId } = recorded;
    return [
      {
        ...toApprovalChannel(guildId, "post.failed", {
          content: `Post #${post.id} failed: ${reason}`.slice(0, 1900),
          components: [button(postButtonId("retry", post.id), "Retry", ButtonStyle.Primary)],
        }),
        targetPostId: post.id,
      },
      ...approvalNotices.changed(recorded),
    ];
  },
  missed(recorded) {
    const [first] = recorded;
    if (first === undefined) return [];
    const reschedule = button(
      campaignButtonId("reschedule", first.campaign.id),
      "Reschedule all to the next free slots",
      ButtonStyle.Primary,
    );
    return [
      toApprovalChannel(first.guildId, "post.missed", {
        content: missedSummary(
          first.campaignName,
          recorded.map(({ post }) => post),
        ),
        components: [reschedule],
      }),
      ...recorded.flatMap(approvalNotices.changed),
    ];
  },
  accountInvalid(account: XAccount, reason: string) {
    return [
      toApprovalChannel(account.guildId, "account.invalid", {
        content: `X refused the keys of @${account.handle} (${reason}). Its posts are on hold. An admin reconnects it with /x connect; the held posts then go out, or are announced as missed when by then later than the grace window.`,
      }),
    ];
  },
  accountHeld(account: XAccount, hold: AccountHold) {
    return [
      toApprovalChannel(account.guildId, "account.held", {
        content: holdNotice(account.handle, hold),
      }),
    ];
  },
};
