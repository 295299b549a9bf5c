import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  InteractionEditReplyOptions,
  ModalBuilder,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { AutopilotService } from "../domain/autopilot.ts";
import type { CampaignService } from "../domain/campaigns.ts";
import type { MissedPosts } from "../domain/missed-posts.ts";
import type { Clock } from "../domain/ports.ts";
import type { PostbackTokens } from "../domain/postbacks.ts";
import type { PostService } from "../domain/posts.ts";
import type { ReportService } from "../domain/reports.ts";
import type { SettingsService } from "../domain/settings.ts";
import type { XAccountService } from "../domain/x-accounts.ts";
import type { Logger } from "../logger.ts";
import type { MediaStore } from "../media/media-store.ts";
import type { ApprovalMessages } from "./approval-messages.ts";

/** What handlers may use: domain services and the bot's own helpers, never Prisma. */
export interface BotContext {
  guildId: string;
  campaigns: CampaignService;
  posts: PostService;
  missed: MissedPosts;
  autopilot: AutopilotService;
  reports: ReportService;
  settings: SettingsService;
  accounts: XAccountService;
  approvals: ApprovalMessages;
  media: MediaStore;
  clock: Clock;
  logger: Logger;
  /** The postback token and Herald's public URL; absent when HERALD_PUBLIC_URL is not set. */
  postbacks?: { tokens: PostbackTokens; publicUrl: URL } | undefined;
}

/** What a handler answers; the dispatcher sends it as the (ephemeral) reply. */
export type Reply = string | InteractionEditReplyOptions;

/** One slash command: its definition and its handlers (the discord.js guide's shape). */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /**
   * A modal to show instead of deferring (a modal must be the first answer, so at most a quick
   * indexed read comes before it). Returns null when this subcommand does not open one; a
   * refusal (DomainError) is shown instead of the modal.
   */
  modal?(
    interaction: ChatInputCommandInteraction,
    ctx: BotContext,
  ): ModalBuilder | null | Promise<ModalBuilder | null>;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<Reply>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}
