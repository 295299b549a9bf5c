import { GatewayIntentBits } from "discord.js";
import { apiChannel, apiGuild, apiGuildMember, apiRole } from "../api-shapes.ts";
import type { FakeGuild } from "../guilds.ts";
import { errors, type FakeResponse, json } from "../responses.ts";
import { type Route, type RouteContext, route } from "../state.ts";

/** Runs `answer` for the guild in the path, or answers Unknown Guild. */
function inGuild(answer: (guild: FakeGuild, context: RouteContext) => FakeResponse) {
  return (context: RouteContext): FakeResponse => {
    const guild = context.state.guilds.guild(context.params.guild ?? "");
    return guild === undefined ? errors.unknownGuild() : answer(guild, context);
  };
}

export const GUILD_ROUTES: readonly Route[] = [
  route(
    "GET",
    "/guilds/:guild",
    inGuild((guild, { query }) =>
      json({
        ...apiGuild(guild),
        ...(query.get("with_counts") === "true"
          ? { approximate_member_count: guild.members.size, approximate_presence_count: 0 }
          : {}),
      }),
    ),
  ),
  route(
    "GET",
    "/guilds/:guild/channels",
    inGuild((guild) => json(guild.channels.map((channel) => apiChannel(guild, channel)))),
  ),
  route(
    "GET",
    "/guilds/:guild/roles",
    inGuild((guild) => json(guild.roles.map(apiRole))),
  ),
  route(
    "GET",
    "/guilds/:guild/members/:user",
    inGuild((guild, { params }) => {
      const member = guild.members.get(params.user ?? "");
      return member === undefined ? errors.unknownMember() : json(apiGuildMember(guild, member));
    }),
  ),
  route(
    "GET",
    "/guilds/:guild/members",
    inGuild((guild, { state, query }) => {
      // Listing members is refused unless the Server Members intent is enabled in the portal.
      if ((state.privilegedIntents & GatewayIntentBits.GuildMembers) === 0) {
        return errors.missingAccess();
      }
      const limit = Math.min(Math.max(Number(query.get("limit") ?? 1), 1), 1000);
      const after = BigInt(query.get("after") ?? "0");
      const members = [...guild.members.values()]
        .filter((member) => BigInt(member.id) > after)
        .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
        .slice(0, limit);
      return json(members.map((member) => apiGuildMember(guild, member)));
    }),
  ),
];
