import { json } from "../responses.ts";
import { type Route, route } from "../state.ts";

/** Where the gateway is; discord.js connects to `url` with ?v=10&encoding=json appended. */
export const GATEWAY_ROUTES: readonly Route[] = [
  route("GET", "/gateway", ({ state }) => json({ url: state.gatewayUrl }), { auth: false }),
  route("GET", "/gateway/bot", ({ state }) =>
    json({
      url: state.gatewayUrl,
      shards: 1,
      // @discordjs/ws refuses to connect when `remaining` is below the shard count and caches
      // the answer for `reset_after` ms.
      session_start_limit: {
        total: 1000,
        remaining: 999,
        reset_after: 14_400_000,
        max_concurrency: 1,
      },
    }),
  ),
];
