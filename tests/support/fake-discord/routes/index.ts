import type { Route } from "../state.ts";
import { CALLBACK_ROUTES } from "./callback-routes.ts";
import { CHANNEL_ROUTES } from "./channel-routes.ts";
import { COMMAND_ROUTES } from "./command-routes.ts";
import { GATEWAY_ROUTES } from "./gateway-routes.ts";
import { GUILD_ROUTES } from "./guild-routes.ts";
import { IDENTITY_ROUTES } from "./identity-routes.ts";
import { WEBHOOK_ROUTES } from "./webhook-routes.ts";

/** Every API v10 route the fake serves; the first match wins, so `@me` precedes `:user`. */
export const ROUTES: readonly Route[] = [
  ...GATEWAY_ROUTES,
  ...IDENTITY_ROUTES,
  ...COMMAND_ROUTES,
  ...GUILD_ROUTES,
  ...CHANNEL_ROUTES,
  ...CALLBACK_ROUTES,
  ...WEBHOOK_ROUTES,
];

export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

const COMPILED = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      if (!segment.startsWith(":")) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(segment.slice(1));
      return "([^/]+)";
    })
    .join("/");
  return { route, names, regex: new RegExp(`^${source}/?$`) };
});

/**
 * The route for a request, `"wrong_method"` when the path exists under another method (Discord
 * answers 405), or undefined (404).
 */
export function matchRoute(method: string, path: string): RouteMatch | "wrong_method" | undefined {
  let pathExists = false;
  for (const { route, names, regex } of COMPILED) {
    const found = regex.exec(path);
    if (found === null) continue;
    pathExists = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    names.forEach((name, index) => {
      params[name] = decodeURIComponent(found[index + 1] ?? "");
    });
    return { route, params };
  }
  return pathExists ? "wrong_method" : undefined;
}
