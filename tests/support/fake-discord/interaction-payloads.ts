import { randomBytes } from "node:crypto";
import { apiChannel, apiInteractionMember } from "./api-shapes.ts";
import { INTERACTION_TYPE } from "./callback-limits.ts";
import type { FakeGuild, MemberRecord } from "./guilds.ts";
import type { InteractionKind } from "./interactions.ts";
import type { FakeChannelDefinition } from "./options.ts";
import type { FakeDiscordState } from "./state.ts";

/** Discord's upload limit for a guild without boosts, sent as attachment_size_limit. */
const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

export interface InteractionPlace {
  readonly guild: FakeGuild;
  readonly channel: FakeChannelDefinition;
  readonly member: MemberRecord;
}

/** A fresh interaction id and token (Discord's tokens are long opaque strings). */
export function newInteractionIdentity(state: FakeDiscordState): { id: string; token: string } {
  return { id: state.ids.next(), token: `aW50ZXJhY3Rpb24${randomBytes(48).toString("base64url")}` };
}

/**
 * The INTERACTION_CREATE fields every interaction carries. discord.js reads `entitlements`,
 * `authorizing_integration_owners`, `app_permissions`, `locale`, `member`, `channel` and
 * `version` without checking they exist, so all are present as Discord sends them.
 */
export function interactionEnvelope(
  state: FakeDiscordState,
  identity: { id: string; token: string },
  kind: InteractionKind,
  { guild, channel, member }: InteractionPlace,
): Record<string, unknown> {
  const memberPermissions = guild.permissionsOf(member).toString();
  return {
    id: identity.id,
    application_id: state.applicationId,
    type: INTERACTION_TYPE[kind],
    token: identity.token,
    version: 1,
    guild_id: guild.id,
    guild: { id: guild.id, locale: "en-US", features: [] },
    channel_id: channel.id,
    channel: { ...apiChannel(guild, channel), permissions: memberPermissions },
    member: apiInteractionMember(guild, member),
    app_permissions: guild.permissionsOf(guild.botMember()).toString(),
    locale: "en-US",
    guild_locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": guild.id },
    context: 0,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
}
