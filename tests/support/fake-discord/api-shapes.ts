import type {
  APIGuild,
  APIGuildMember,
  APIInteractionGuildMember,
  APIRole,
  APIUser,
  GuildMemberFlags,
  GuildSystemChannelFlags,
  RoleFlags,
  UserFlags,
} from "discord.js";
import type { BotUser, FakeGuild, MemberRecord, RoleRecord } from "./guilds.ts";
import type { FakeChannelDefinition } from "./options.ts";
import { discordTimestamp } from "./snowflakes.ts";

// The JSON Discord sends for users, members, roles, channels and guilds, with every field the
// real API includes (typed against discord-api-types where it is exact), so discord.js builds
// the same structures it builds in production. Flag enums have no member for "none", hence
// the `0 as …Flags` casts.

export function apiUser(member: MemberRecord): APIUser {
  return {
    id: member.id,
    username: member.username,
    global_name: member.globalName,
    discriminator: "0",
    avatar: null,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    ...(member.bot ? { bot: true } : {}),
  };
}

export function apiBotUser(bot: BotUser): APIUser {
  return apiUser({
    id: bot.id,
    username: bot.username,
    globalName: null,
    roleIds: [],
    explicitPermissions: undefined,
    bot: true,
  });
}

export function apiRole(role: RoleRecord): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}

export function apiGuildMember(guild: FakeGuild, member: MemberRecord): APIGuildMember {
  return {
    user: apiUser(member),
    nick: null,
    avatar: null,
    banner: null,
    roles: [...member.roleIds],
    joined_at: discordTimestamp(guild.joinedAt),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}

/** `member` of an interaction: the guild member plus their permissions in the channel. */
export function apiInteractionMember(
  guild: FakeGuild,
  member: MemberRecord,
): APIInteractionGuildMember {
  return {
    ...apiGuildMember(guild, member),
    permissions: guild.permissionsOf(member).toString(),
  };
}

/** A guild channel as GET /channels/:id returns it. */
export function apiChannel(guild: FakeGuild, channel: FakeChannelDefinition): ApiChannel {
  return {
    id: channel.id,
    type: channel.type ?? 0,
    guild_id: guild.id,
    name: channel.name,
    position: guild.channels.indexOf(channel),
    permission_overwrites: [],
    parent_id: channel.parentId ?? null,
    nsfw: false,
    topic: channel.topic ?? null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

export type ApiChannel = Readonly<Record<string, unknown>> & { readonly id: string };

/** GET /guilds/:id: the guild without channels or members, as the REST API answers. */
export function apiGuild(guild: FakeGuild): APIGuild {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    region: "",
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: guild.roles.map(apiRole),
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500_000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US" as APIGuild["preferred_locale"],
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
  };
}

/**
 * GUILD_CREATE: the guild with its channels and the members Discord sends on connect. Without
 * the GUILD_PRESENCES intent Discord sends only the bot's own member (and voice members), so
 * `guild.members.cache` holds the others only once they interact or are fetched.
 */
export function guildCreatePayload(guild: FakeGuild, allMembers: boolean): Record<string, unknown> {
  const members = allMembers ? [...guild.members.values()] : [guild.botMember()];
  return {
    ...apiGuild(guild),
    joined_at: discordTimestamp(guild.joinedAt),
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [],
    members: members.map((member) => apiGuildMember(guild, member)),
    channels: guild.channels.map((channel) => {
      // GUILD_CREATE's channels carry no guild_id; discord.js fills it from the guild.
      const { guild_id: _guildId, ...rest } = apiChannel(guild, channel);
      return rest;
    }),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
