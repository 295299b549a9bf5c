import type { Campaign, CampaignEdit, ReapprovalField } from "../domain/campaigns.ts";
import type { TeamNotices } from "../domain/notices.ts";
import { APPROVAL_CHANNEL, type OutboxDraft } from "../domain/outbox.ts";
import { type BudgetNotice, usd } from "../domain/x-spend.ts";

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function notice(guildId: string, content: string): OutboxDraft[] {
  return [{ guildId, channelId: APPROVAL_CHANNEL, kind: "notice", payload: { content } }];
}

/**
 * What the team hears of changes to campaigns, accounts and spend, in the approval channel where
 * it works (resolved when sent).
 */
export const teamNotices: TeamNotices = {
  reapproval: (edit) => notice(edit.campaign.guildId, reapprovalSummary(edit)),
  disconnected: (account, held) =>
    notice(account.guildId, `@${account.handle} was disconnected from Herald. ${heldBy(held)}`),
  budget: (guildId, budget) => notice(guildId, budgetNoticeText(budget)),
};

export function campaignNames(campaigns: readonly Campaign[]): string {
  return campaigns
    .map((campaign) => `**${campaign.name}**`)
    .join(", ")
    .slice(0, 1500);
}

/** What disconnecting an account holds, for the notice and the admin's reply. */
export function heldBy(campaigns: readonly Campaign[]): string {
  return campaigns.length === 0
    ? "No campaign posts as it."
    : `Approved posts of ${campaignNames(campaigns)} wait until an admin reconnects it with /x connect.`;
}

const REASONS: Record<ReapprovalField, (campaign: Campaign) => string> = {
  xAccountId: () => "the X account changed",
  adult: (campaign) =>
    campaign.adult ? "the campaign is now marked adult" : "the campaign is no longer marked adult",
  defaultLink: () => "the link changed",
  disclosureTag: (campaign) =>
    campaign.disclosureTag === null
      ? "the disclosure tag was removed"
      : `the disclosure tag is now ${campaign.disclosureTag}`,
  paidPartnership: (campaign) =>
    campaign.paidPartnership
      ? "the paid-partnership label is on"
      : "the paid-partnership label is off",
};

/** "3 approved posts of Desk Lamps wait for approval again: the link changed." */
export function reapprovalSummary(edit: CampaignEdit): string {
  const { campaign, sentBack, breakingRules } = edit;
  const because = edit.reapprovalBecause.map((field) => REASONS[field](campaign)).join(", ");
  const lines = [
    `${plural(sentBack.length, "approved post", "approved posts")} of ${campaign.name} ${sentBack.length === 1 ? "waits" : "wait"} for approval again: ${because}.`,
  ];
  if (breakingRules.length > 0) {
    const ids = breakingRules.map((post) => `#${post.id}`).join(", ");
    lines.push(
      `${ids} no longer ${breakingRules.length === 1 ? "passes" : "pass"} the campaign's content rules (e.g. a missing disclosure tag) and cannot be approved until edited.`,
    );
  }
  return lines.join("\n").slice(0, 1900);
}

export function budgetNoticeText(notice: BudgetNotice): string {
  const spent = `${usd(notice.spentUsd)} of this month's X budget of ${usd(notice.budgetUsd ?? 0)}`;
  const resets = notice.resetsAt.toISOString().slice(0, 10);
  if (notice.level === "warning") {
    return `Herald has spent ${spent} (80 % or more). At 100 % metric reads stop until ${resets}${notice.stopsPosting ? " and posts are held" : ""}.`;
  }
  return `Herald has spent ${spent}. Metric reads are stopped until ${resets} or until the budget is raised (/settings set x_monthly_budget). ${notice.stopsPosting ? "Posts are held too (x_budget_stops_posting is on)." : "Publishing goes on."}`;
}
