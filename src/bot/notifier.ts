import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type MessageCreateOptions,
} from "discord.js";
import type { XAccountRepository } from "../domain/ports.ts";
import type { SettingsService } from "../domain/settings.ts";
import type { Logger } from "../logger.ts";
import type { PublishRunner } from "../scheduler/runner.ts";
import type { ApprovalMessages } from "./approval-messages.ts";
import { postButtonId } from "./custom-ids.ts";

interface NotifierDeps {
  runner: PublishRunner;
  approvals: ApprovalMessages;
  settings: SettingsService;
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

function button(id: string, label: string, style: ButtonStyle) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(id).setLabel(label).setStyle(style),
  );
}

/**
 * Turns the runner's events into messages in the approval channel, where the team works: what
 * was published (with its link on x.com), what failed (with X's reason and a Retry button), what
 * was missed (with a Reschedule button), and accounts that need reconnecting.
 */
export function startNotifier(deps: NotifierDeps): void {
  const { runner, approvals, logger } = deps;

  const tell = async (message: MessageCreateOptions) => {
    const settings = await deps.settings.get(deps.guildId);
    if (settings.approvalChannelId === null) {
      logger.warn("no approval channel set; a notification was not sent");
      return;
    }
    await approvals.send(settings.approvalChannelId, message);
  };
  const safely = (work: () => Promise<void>) =>
    void work().catch((error: unknown) => logger.error({ err: error }, "notification failed"));

  // The "published" notice is written with the publish (OutboxRunnerNotices) and delivered by
  // the outbox; only the approval message is refreshed from here.
  runner.on("post.published", ({ post }) => safely(() => approvals.refresh(post)));
  runner.on("post.failed", ({ post, reason }) =>
    safely(async () => {
      await approvals.refresh(post);
      await tell({
        content: `Post #${post.id} failed: ${reason}`.slice(0, 1900),
        components: [button(postButtonId("retry", post.id), "Retry", ButtonStyle.Primary)],
      });
    }),
  );
  runner.on("post.missed", ({ post }) =>
    safely(async () => {
      await approvals.refresh(post);
      await tell({
        content: `Post #${post.id} missed its time while Herald was down and was not sent late.`,
        components: [
          button(postButtonId("reschedule", post.id), "Reschedule", ButtonStyle.Primary),
        ],
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
}
