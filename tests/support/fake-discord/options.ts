/** Permissions as Discord writes them (a decimal string) or as a bigint bit set. */
export type PermissionBits = string | bigint;

export interface FakeChannelDefinition {
  readonly id: string;
  readonly name: string;
  /** Discord's channel type; 0 (GUILD_TEXT) when not given. */
  readonly type?: number | undefined;
  readonly parentId?: string | undefined;
  readonly topic?: string | undefined;
}

export interface FakeRoleDefinition {
  readonly id: string;
  readonly name: string;
  readonly permissions: PermissionBits;
  /** Higher is above; the definition order when not given. */
  readonly position?: number | undefined;
}

/** A person in a guild, as the test "types" commands and presses buttons as them. */
export interface FakeMemberDefinition {
  /** The user id. */
  readonly id: string;
  readonly username: string;
  readonly globalName?: string | null | undefined;
  readonly roleIds?: readonly string[] | undefined;
  /**
   * The member's permissions as Discord computes them for the channel. When not given they
   * come from @everyone and the member's roles (Administrator and ownership grant everything).
   */
  readonly permissions?: PermissionBits | undefined;
}

export interface FakeGuildDefinition {
  readonly id: string;
  readonly name: string;
  /** The owner has every permission; the first member when not given. */
  readonly ownerId?: string | undefined;
  readonly channels: readonly FakeChannelDefinition[];
  /** @everyone (id = guild id) is added with Discord's defaults unless defined here. */
  readonly roles?: readonly FakeRoleDefinition[] | undefined;
  readonly members?: readonly FakeMemberDefinition[] | undefined;
  /** Roles of the bot's own member: its `app_permissions` and channel access come from them. */
  readonly botRoleIds?: readonly string[] | undefined;
}

export interface FakeDiscordOptions {
  readonly applicationId: string;
  /** The bot token; REST calls must carry `Authorization: Bot <token>`, IDENTIFY must send it. */
  readonly botToken: string;
  readonly guilds: readonly FakeGuildDefinition[];
  /** The bot user; its id is the application id and its username "Herald" when not given. */
  readonly bot?: { readonly id?: string | undefined; readonly username?: string | undefined };
  /**
   * How long an interaction may go without its first callback: Discord's 3000 ms. Later
   * callbacks are refused with 10062 "Unknown interaction", as Discord refuses them.
   */
  readonly answerDeadlineMs?: number | undefined;
  /** How long `reply()` waits for a deferred reply to be filled in; 5000 ms when not given. */
  readonly replyTimeoutMs?: number | undefined;
  /**
   * Privileged intents enabled for the application in the developer portal
   * (GatewayIntentBits.GuildMembers, GuildPresences, MessageContent). IDENTIFY asking for one
   * not listed is closed with 4014 "Disallowed intent(s)", as Discord does. None by default.
   */
  readonly privilegedIntents?: readonly number[] | undefined;
  /** The heartbeat_interval sent in HELLO; Discord sends 41250. */
  readonly heartbeatIntervalMs?: number | undefined;
  /** The clock for snowflakes and message timestamps; ms since epoch. */
  readonly now?: (() => number) | undefined;
}

export const DISCORD_ANSWER_DEADLINE_MS = 3000;
export const DEFAULT_REPLY_TIMEOUT_MS = 5000;
export const DISCORD_HEARTBEAT_INTERVAL_MS = 41_250;
