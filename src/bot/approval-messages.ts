import type { Client, MessageCreateOptions } from "discord.js";
import type { Campaign, CampaignService } from "../domain/campaigns.ts";
import type { Post, PostService } from "../domain/posts.ts";
import type { SettingsService } from "../domain/settings.ts";
import type { Logger } from "../logger.ts";
import { approvalMessage, rejectionNotice } from "./render/post-message.ts";

/** Where a post's approval message stands after an attempt to show it. */
export type ShowOutcome = "shown" | "no_channel" | "unreachable";

/**
 * Keeps each post's message in the approval channel in step with the post. Discord failures are
 * logged, never thrown: the post's state is in the database and a stale message is not worth
 * failing a command for.
 */
export class ApprovalMessages {
  constructor(
    private readonly deps: {
      client: Client;
      campaigns: CampaignService;
      posts: PostService;
      settings: SettingsService;
      logger: Logger;
    },
  ) {}

  /** Sends the post to the approval channel, unless the guild has none or Discord refuses. */
  async show(post: Post): Promise<ShowOutcome> {
    const campaign = await this.deps.campaigns.getById(post.campaignId);
    const settings = await this.deps.settings.get(campaign.guildId);
    if (settings.approvalChannelId === null) return "no_channel";
    return this.showIn(settings.approvalChannelId, post, campaign);
  }

  /**
   * Shows every post still waiting for approval in the guild's (new) approval channel, so that a
   * channel set late, or set again after the old one was deleted, loses no post. Returns how many.
   */
  async showWaiting(guildId: string, channelId: string): Promise<number> {
    const waiting = await this.deps.posts.list({ guildId, status: "pending_approval", limit: 100 });
    const campaigns = new Map<number, Campaign>();
    let shown = 0;
    for (const post of waiting) {
      if (post.approvalMessage?.channelId === channelId) continue;
      // Read once per campaign: the waiting posts of a guild mostly share a few campaigns.
      const campaign =
        campaigns.get(post.campaignId) ?? (await this.deps.campaigns.getById(post.campaignId));
      campaigns.set(post.campaignId, campaign);
      if ((await this.showIn(channelId, post, campaign)) === "shown") shown += 1;
    }
    return shown;
  }

  private async showIn(channelId: string, post: Post, campaign: Campaign): Promise<ShowOutcome> {
    const message = await this.send(channelId, approvalMessage(post, campaign));
    if (message === null) return "unreachable";
    await this.deps.posts.recordApprovalMessage(post.id, channelId, message.id);
    return "shown";
  }

  /** Tells a rejected post's author the reason, in the approval channel (when there is one). */
  async tellRejected(post: Post): Promise<void> {
    const campaign = await this.deps.campaigns.getById(post.campaignId);
    await this.tell(campaign.guildId, rejectionNotice(post, campaign));
  }

  /**
   * Sends a message to the guild's approval channel, where the team works; without one set, the
   * message is logged as not sent.
   */
  async tell(guildId: string, message: MessageCreateOptions): Promise<void> {
    const { approvalChannelId } = await this.deps.settings.get(guildId);
    if (approvalChannelId === null) {
      this.deps.logger.warn("no approval channel set; a notification was not sent");
      return;
    }
    await this.send(approvalChannelId, message);
  }

  /** Updates the post's approval message, or sends one if it has none yet. */
  async refresh(post: Post): Promise<void> {
    if (post.approvalMessage === null) {
      await this.show(post);
      return;
    }
    const campaign = await this.deps.campaigns.getById(post.campaignId);
    const { channelId, messageId } = post.approvalMessage;
    try {
      const channel = await this.deps.client.channels.fetch(channelId);
      if (channel?.isTextBased()) {
        await channel.messages.edit(messageId, approvalMessage(post, campaign));
      }
    } catch (error) {
      this.deps.logger.warn(
        { err: error, postId: post.id },
        "could not update the approval message",
      );
    }
  }

  /** Sends a message to a channel; null (logged) when Discord refuses. */
  async send(channelId: string, message: MessageCreateOptions): Promise<{ id: string } | null> {
    try {
      const channel = await this.deps.client.channels.fetch(channelId);
      if (channel === null || !channel.isSendable()) {
        this.deps.logger.warn({ channelId }, "channel is gone or not a text channel");
        return null;
      }
      return await channel.send(message);
    } catch (error) {
      this.deps.logger.warn({ err: error, channelId }, "could not send a message");
      return null;
    }
  }
}
