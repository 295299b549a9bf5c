import { createHash } from "node:crypto";
import type { Agent } from "node:https";
import { TwitterApi } from "twitter-api-v2";
import type { XCredentials } from "../domain/secrets.ts";
import { apiBasePlugin } from "./api-base-plugin.ts";

/** X answers within seconds; a request still open after this is treated as lost. */
export const X_REQUEST_TIMEOUT_MS = 20_000;

export interface XConnection {
  apiBase: URL;
  timeoutMs: number;
  /** An https.Agent for proxies or a private CA; none for the default. */
  httpAgent?: Agent | undefined;
}

/** A twitter-api-v2 client acting as the account those credentials belong to. */
export function createXClient(credentials: XCredentials, connection: XConnection): TwitterApi {
  const settings = {
    plugins: [apiBasePlugin(connection.apiBase, connection.timeoutMs)],
    ...(connection.httpAgent === undefined ? {} : { httpAgent: connection.httpAgent }),
  };
  return credentials.kind === "oauth1"
    ? new TwitterApi(
        {
          appKey: credentials.appKey,
          appSecret: credentials.appSecret,
          accessToken: credentials.accessToken,
          accessSecret: credentials.accessSecret,
        },
        settings,
      )
    : new TwitterApi(credentials.accessToken, settings);
}

/** One client per account, made on first use; reconnecting an account changes its cache key. */
export class XClients {
  private readonly clients = new Map<string, TwitterApi>();

  constructor(private readonly connection: XConnection) {}

  for(account: { id: number; credentials: XCredentials }): TwitterApi {
    const digest = createHash("sha256").update(JSON.stringify(account.credentials)).digest("hex");
    const key = `${account.id}:${digest}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = createXClient(account.credentials, this.connection);
      this.clients.set(key, client);
    }
    return client;
  }
}
