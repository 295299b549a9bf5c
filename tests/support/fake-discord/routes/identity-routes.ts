import { apiBotUser, apiUser } from "../api-shapes.ts";
import { errors, json } from "../responses.ts";
import { type Route, route } from "../state.ts";

/** The bot user, other users it can see, and its application. */
export const IDENTITY_ROUTES: readonly Route[] = [
  route("GET", "/users/@me", ({ state }) =>
    json({ ...apiBotUser(state.bot), verified: true, mfa_enabled: false, email: null }),
  ),
  route("GET", "/users/:user", ({ state, params }) => {
    const user = state.guilds.user(params.user ?? "");
    return user === undefined ? errors.unknownUser() : json(apiUser(user));
  }),
  route("GET", "/applications/@me", ({ state }) =>
    json({
      id: state.applicationId,
      name: state.bot.username,
      icon: null,
      description: "",
      summary: "",
      type: null,
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: "0".repeat(64),
      flags: 0,
      hook: true,
      is_monetized: false,
      team: null,
      owner: { ...apiBotUser(state.bot), bot: false, id: state.guilds.guilds[0]?.ownerId ?? "0" },
      bot: apiBotUser(state.bot),
      integration_types_config: { "0": {} },
      approximate_guild_count: state.guilds.guilds.length,
    }),
  ),
];
