/** The ports autopilot (src/domain/autopilot.ts) talks to: its store and its messages. */
import type { AuditNote } from "./audit.ts";
import type { DryReason, LibraryItem } from "./autopilot-plan.ts";
import type { Campaign } from "./campaigns.ts";
import type { OutboxDraft } from "./outbox.ts";
import type { PostNotices } from "./ports.ts";
import type { NewPost, Post } from "./posts.ts";

/** One slot to fill with one planned post, as the store writes it in one transaction. */
export interface SlotFill {
  campaignId: number;
  guildId: string;
  slotAt: Date;
  /** The slot's local date in the campaign's time zone, for the item's expiry. */
  slotDate: string;
  itemId: number;
  /** Checked again in the transaction: another instance may have used the item meanwhile. */
  minRepeatDays: number;
  post: NewPost;
  audit: AuditNote;
  /** The post's approval message, written with it. */
  notices: PostNotices;
}

export interface AutopilotStore {
  /** Active campaigns with autopilot on, across guilds. */
  enabledCampaigns(): Promise<Campaign[]>;
  /** The campaign's library with its counters and the clicks and impressions of its posts. */
  library(campaignId: number): Promise<(LibraryItem & { link: string | null })[]>;
  /** Instants in `from`..`until` that a live post of the campaign or an AutopilotSlot holds. */
  takenSlots(campaignId: number, from: Date, until: Date): Promise<Date[]>;
  /** Texts of the guild's posts, any account, not rejected or cancelled, scheduled in the window. */
  guildTexts(guildId: string, from: Date, until: Date): Promise<string[]>;
  /**
   * The fills of one campaign in one transaction: each fill's AutopilotSlot row, post (with its
   * approval message) and item use. A fill is left out when, since the plan was made, its slot
   * was filled (the unique campaign + instant decides, across instances), its item used within
   * `minRepeatDays` or spent, or its text used by the team within the duplicate window.
   */
  fillSlots(fills: readonly SlotFill[]): Promise<Post[]>;
  /**
   * Stores a digest of posts and writes its message; the drafts get the digest's id. A morning
   * digest (`morningOf`, the local date) is written once per campaign and date: null when the
   * day's was written already.
   */
  recordDigest(
    campaign: Campaign,
    postIds: readonly number[],
    drafts: (digestId: number) => OutboxDraft[],
    morningOf?: string,
  ): Promise<number | null>;
  /** Autopilot's posts of the campaign still waiting for approval, scheduled in the window. */
  waitingPosts(campaignId: number, from: Date, until: Date): Promise<Post[]>;
  /** The posts a digest lists, in its order, and the guild of its campaign. */
  digest(digestId: number): Promise<{ guildId: string; postIds: number[] } | null>;
  /** Writes the dry notice unless one was written for the campaign on `date`; true if written. */
  claimDryNotice(campaignId: number, date: string, drafts: OutboxDraft[]): Promise<boolean>;
}

/** The messages autopilot writes; rendered in src/bot. */
export interface AutopilotNotices {
  digest(campaign: Campaign, posts: readonly Post[], digestId: number): OutboxDraft[];
  dry(campaign: Campaign, emptySlots: number, reasons: readonly DryReason[]): OutboxDraft[];
}
