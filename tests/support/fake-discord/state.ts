import type { AttachmentCdn } from "./attachment-cdn.ts";
import type { CommandStore } from "./command-store.ts";
import type { Gateway } from "./gateway.ts";
import type { BotUser, GuildDirectory } from "./guilds.ts";
import type { InteractionRegistry } from "./interactions.ts";
import type { MessageNonces } from "./message-nonces.ts";
import type { MessageStore } from "./message-store.ts";
import type { MessageWriter } from "./message-writer.ts";
import type { RestOutages } from "./outages.ts";
import type { RequestBody } from "./request-body.ts";
import type { FakeResponse } from "./responses.ts";
import type { Snowflakes } from "./snowflakes.ts";

/** Everything the fake Discord holds, shared by its REST routes, gateway and test helpers. */
export interface FakeDiscordState {
  readonly applicationId: string;
  readonly bot: BotUser;
  readonly guilds: GuildDirectory;
  readonly ids: Snowflakes;
  readonly now: () => number;
  readonly messages: MessageStore;
  readonly writer: MessageWriter;
  /** Nonces of recent creates, for `enforce_nonce`. */
  readonly nonces: MessageNonces;
  /** REST outages the test started. */
  readonly outages: RestOutages;
  readonly cdn: AttachmentCdn;
  readonly commands: CommandStore;
  readonly interactions: InteractionRegistry;
  readonly gateway: Gateway;
  /** ws:// URL of the gateway, as GET /gateway/bot gives it. */
  readonly gatewayUrl: string;
  readonly replyTimeoutMs: number;
  /** Privileged intents enabled for the application (GatewayIntentBits). */
  readonly privilegedIntents: number;
}

/** What a REST route handler gets: the state and the parsed request. */
export interface RouteContext {
  readonly state: FakeDiscordState;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: RequestBody;
}

export type RouteHandler = (context: RouteContext) => FakeResponse;

export interface Route {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path after /api/v10 with `:name` parameters, e.g. "/channels/:channel/messages". */
  readonly path: string;
  /** false for interaction callbacks and webhooks: discord.js sends them without a token. */
  readonly auth: boolean;
  readonly handler: RouteHandler;
}

export function route(
  method: Route["method"],
  path: string,
  handler: RouteHandler,
  { auth = true }: { auth?: boolean } = {},
): Route {
  return { method, path, auth, handler };
}
