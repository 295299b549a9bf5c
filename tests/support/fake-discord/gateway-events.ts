import { ApplicationFlags, GatewayIntentBits } from "discord.js";
import { apiBotUser, apiGuildMember, guildCreatePayload } from "./api-shapes.ts";
import type { GatewaySession } from "./gateway-session.ts";
import type { BotUser, FakeGuild, GuildDirectory, MemberRecord } from "./guilds.ts";

export interface GatewayEventsContext {
  readonly applicationId: string;
  readonly bot: BotUser;
  readonly guilds: GuildDirectory;
  readonly privilegedIntents: number;
  /** READY's resume_gateway_url: where the client reconnects to RESUME. */
  readonly resumeUrl: () => string;
}

/** READY: the bot user, its guilds as unavailable (GUILD_CREATE follows), the session. */
export function readyEvent(context: GatewayEventsContext, session: GatewaySession): unknown {
  return {
    v: 10,
    user: { ...apiBotUser(context.bot), verified: true, mfa_enabled: false, email: null },
    guilds: context.guilds.guilds
      .filter((guild) => session.servesGuild(guild.id))
      .map((guild) => ({ id: guild.id, unavailable: true })),
    session_id: session.id,
    session_type: "normal",
    resume_gateway_url: context.resumeUrl(),
    shard: [...session.shard],
    application: { id: context.applicationId, flags: applicationFlags(context.privilegedIntents) },
    user_settings: {},
    private_channels: [],
    presences: [],
    relationships: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: ["us-east"],
    auth: {},
    _trace: ["fake-discord"],
  };
}

/** The "limited" flags Discord sets for privileged intents enabled in the portal. */
function applicationFlags(privilegedIntents: number): number {
  let flags = 0;
  if (privilegedIntents & GatewayIntentBits.GuildPresences) {
    flags |= ApplicationFlags.GatewayPresenceLimited;
  }
  if (privilegedIntents & GatewayIntentBits.GuildMembers) {
    flags |= ApplicationFlags.GatewayGuildMembersLimited;
  }
  if (privilegedIntents & GatewayIntentBits.MessageContent) {
    flags |= ApplicationFlags.GatewayMessageContentLimited;
  }
  return flags;
}

export function guildCreateEvents(
  context: GatewayEventsContext,
  session: GatewaySession,
): unknown[] {
  const withPresences = (session.intents & GatewayIntentBits.GuildPresences) !== 0;
  return context.guilds.guilds
    .filter((guild) => session.servesGuild(guild.id))
    .map((guild) => guildCreatePayload(guild, withPresences));
}

/**
 * Answers Request Guild Members (op 8) with one GUILD_MEMBERS_CHUNK. Asking for the whole
 * list (no user_ids) needs the GUILD_MEMBERS intent; without it Discord sends nothing and
 * discord.js's `guild.members.fetch()` fails after 120 s with "Members didn't arrive in time".
 */
export function memberChunks(
  context: GatewayEventsContext,
  request: Record<string, unknown>,
  session: GatewaySession,
): unknown[] {
  const guild = context.guilds.guild(String(request.guild_id));
  if (guild === undefined || !session.servesGuild(guild.id)) return [];
  const nonce = typeof request.nonce === "string" ? { nonce: request.nonce } : {};
  const members = [...guild.members.values()];
  const userIds = request.user_ids;
  if (userIds !== undefined && userIds !== null) {
    const wanted = (Array.isArray(userIds) ? userIds : [userIds]).map(String);
    const found = members.filter((member) => wanted.includes(member.id));
    const notFound = wanted.filter((id) => !found.some((member) => member.id === id));
    return [chunk(guild, found, { ...nonce, not_found: notFound })];
  }
  if ((session.intents & GatewayIntentBits.GuildMembers) === 0) return [];
  const query = typeof request.query === "string" ? request.query.toLowerCase() : "";
  const limit = typeof request.limit === "number" && request.limit > 0 ? request.limit : Infinity;
  const matching = members
    .filter((member) => member.username.toLowerCase().startsWith(query))
    .slice(0, limit);
  return [chunk(guild, matching, nonce)];
}

function chunk(guild: FakeGuild, members: readonly MemberRecord[], extra: object): unknown {
  return {
    guild_id: guild.id,
    members: members.map((member) => apiGuildMember(guild, member)),
    chunk_index: 0,
    chunk_count: 1,
    ...extra,
  };
}
