import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type MessageCreateOptions,
} from "discord.js";
import type { CampaignService } from "../domain/campaigns.ts";
import type { XAccountRepository } from "../domain/ports.ts";
import type { Post } from "../domain/posts.ts";
import type { Logger } from "../logger.ts";
import type { PublishRunner } from "../scheduler/runner.ts";
import type { ApprovalMessages } from "./approval-messages.ts";
import { campaignButtonId } from "./custom-ids.ts";

interface NotifierDeps {
  runner: PublishRunner;
  approvals: ApprovalMessages;
  campaigns: Pick<CampaignService, "getById">;
  accounts: Pick<XAccountRepository, "findById">;
  guildId: string;
  logger: Logger;
}

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

function button(id: string, label: string, style: ButtonStyle) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(id).setLabel(label).setStyle(style),
  );
}

/**
 * Turns the runner's events into messages in the approval channel, where the team works: what
 * was missed (with a Reschedule button), holds, and accounts that need reconnecting. (What was
 * published or failed is written with the move itself: src/bot/runner-notices.ts.)
 */
export function startNotifier(deps: NotifierDeps): void {
  const { runner, approvals, logger } = deps;

  const tell = (message: MessageCreateOptions) => approvals.tell(deps.guildId, message);
  const safely = (work: () => Promise<void>) =>
    void work().catch((error: unknown) => logger.error({ err: error }, "notification failed"));

  runner.on("posts.missed", ({ campaignId, posts }) =>
    safely(async () => {
      for (const post of posts) await approvals.refresh(post);
      const campaign = await deps.campaigns.getById(campaignId);
      await tell({
        content: missedSummary(campaign.name, posts),
        components: [
          button(
            campaignButtonId("reschedule", campaignId),
            "Reschedule all to the next free slots",
            ButtonStyle.Primary,
          ),
        ],
      });
    }),
  );
  runner.on("posting.held", ({ xAccountId, until, reason }) =>
    safely(async () => {
      const account = await deps.accounts.findById(xAccountId);
      await tell({
        content: `Posts of @${account?.handle ?? xAccountId} are on hold: ${reason}. Herald looks again at ${until.toISOString().slice(0, 16).replace("T", " ")} UTC; once the hold ends they go out, or are announced as missed when later than the grace window (raise the budget with /settings set x_monthly_budget, or turn x_budget_stops_posting off).`,
      });
    }),
  );
  runner.on("account.invalid", ({ xAccountId, reason }) =>
    safely(async () => {
      const account = await deps.accounts.findById(xAccountId);
      await tell({
        content: `X refused the keys of @${account?.handle ?? xAccountId} (${reason}). Its posts are on hold. An admin reconnects it with /x connect; the held posts then go out.`,
      });
    }),
  );
  runner.on("account.held", ({ xAccountId, until, reason }) =>
    safely(async () => {
      const account = await deps.accounts.findById(xAccountId);
      const at = Math.ceil(until.getTime() / 1000);
      const why =
        reason === "budget"
          ? "its posting budget is used up (/x budget sets it)"
          : "X's rate limit says to wait";
      await tell({
        content: `Posts of @${account?.handle ?? xAccountId} are held until <t:${at}:f> (<t:${at}:R>): ${why}. They go out then, or are announced as missed when by then later than the grace window.`,
      });
    }),
  );
}
