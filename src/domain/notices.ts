/**
 * The messages state changes write for the team (design.md section 11), as ports: the domain
 * decides when a message is due and hands the facts to these; src/bot renders them as Discord
 * JSON. Each is written as an outbox draft in the transaction of the change it reports.
 */
import type { Campaign, CampaignEdit } from "./campaigns.ts";
import type { OutboxDraft } from "./outbox.ts";
import type { RecordedPost } from "./ports.ts";
import type { XAccount } from "./x-accounts.ts";
import type { BudgetNotice } from "./x-spend.ts";

/** A post's message in the approval channel, and what the team's decisions on it say. */
export interface ApprovalNotices {
  /** The post waits for approval: shown in the approval channel (`approval.create`). */
  waiting(recorded: RecordedPost): OutboxDraft[];
  /** The post's approval message shows what the post is now (`approval.update`). */
  changed(recorded: RecordedPost): OutboxDraft[];
  /** The author is told why the post was rejected (`rejection`). */
  rejected(recorded: RecordedPost): OutboxDraft[];
}

/** Changes to campaigns, accounts and spend the team must hear of. */
export interface TeamNotices {
  /** A campaign edit sent approved posts back to approval: how many, and why. */
  reapproval(edit: CampaignEdit): OutboxDraft[];
  /** An account taken off Herald, and the campaigns whose posts now wait for it. */
  disconnected(account: XAccount, heldCampaigns: readonly Campaign[]): OutboxDraft[];
  /** This month's X spend passed 80 % or 100 % of the budget. */
  budget(guildId: string, notice: BudgetNotice): OutboxDraft[];
}
