import type { EventEmitter } from "node:events";
import type { CampaignService } from "../domain/campaigns.ts";
import type { OutboxMessage } from "../domain/outbox.ts";
import type { Post, PostService } from "../domain/posts.ts";
import type { SettingsService } from "../domain/settings.ts";
import type { OutboxEvents } from "./outbox-dispatcher.ts";

/**
 * Where a new post's approval message stands a moment after it was queued: in the channel, no
 * channel set, refused by Discord for good (the channel deleted or closed to Herald), or waiting
 * in the outbox until Discord takes it.
 */
export type ShowOutcome = "shown" | "no_channel" | "unreachable" | "delayed";

/** How long a reply waits to say where the approval message went; the outbox keeps trying after. */
const SHOW_WAIT_MS = 3_000;

type Outbox = Pick<EventEmitter<OutboxEvents>, "on" | "off">;

/**
 * The approval channel as the bot's handlers see it. Approval messages are outbox rows written
 * with each change (src/bot/approval-notices.ts); this tells a member where their post went.
 */
export class ApprovalMessages {
  constructor(
    private readonly deps: {
      outbox: Outbox;
      campaigns: CampaignService;
      posts: PostService;
      settings: SettingsService;
    },
  ) {}

  /**
   * Runs `change` (which writes the post's approval.create row) and says where the message went:
   * the first answer Discord gave the row, or "delayed" when none came in SHOW_WAIT_MS (another
   * instance may have sent it: then the post records it).
   */
  async shownAfter(change: () => Promise<Post>): Promise<{ post: Post; outcome: ShowOutcome }> {
    const outcomes = new Map<number, Exclude<ShowOutcome, "no_channel">>();
    let notify: () => void = () => {};
    const seen =
      (outcome: Exclude<ShowOutcome, "no_channel">) =>
      ({ message }: { message: OutboxMessage }) => {
        if (message.kind !== "approval.create" || message.targetPostId === undefined) return;
        if (!outcomes.has(message.targetPostId)) outcomes.set(message.targetPostId, outcome);
        notify();
      };
    const onSent = seen("shown");
    const onDropped = seen("unreachable");
    const onRetrying = seen("delayed");
    const { outbox } = this.deps;
    // Listening before the change commits: the outbox may deliver the row at once.
    outbox.on("message.sent", onSent);
    outbox.on("message.dropped", onDropped);
    outbox.on("message.retrying", onRetrying);
    try {
      const post = await change();
      const campaign = await this.deps.campaigns.getById(post.campaignId);
      const { approvalChannelId } = await this.deps.settings.get(campaign.guildId);
      if (approvalChannelId === null) return { post, outcome: "no_channel" };
      const outcome = await new Promise<ShowOutcome | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), SHOW_WAIT_MS);
        notify = () => {
          const found = outcomes.get(post.id);
          if (found === undefined) return;
          clearTimeout(timer);
          resolve(found);
        };
        notify();
      });
      if (outcome !== undefined) return { post, outcome };
      const now = await this.deps.posts.get(post.id);
      return { post, outcome: now.approvalMessage === null ? "delayed" : "shown" };
    } finally {
      outbox.off("message.sent", onSent);
      outbox.off("message.dropped", onDropped);
      outbox.off("message.retrying", onRetrying);
    }
  }
}
