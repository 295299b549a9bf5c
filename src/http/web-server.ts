/**
 * The web server as main starts it: wires the routes to the database and Discord, listens on
 * HERALD_HTTP_PORT and stops cleanly.
 */
import type { Client } from "discord.js";
import type { Config } from "../config.ts";
import type { PrismaClient } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { createHttpServer, listen } from "./server.ts";

export interface WebServer {
  /** Where this instance listens, e.g. http://0.0.0.0:8080 (tests use it with port 0). */
  readonly address: string;
  /** Stops taking requests and finishes the ones in flight. */
  stop(): Promise<void>;
}

export async function startWebServer(deps: {
  config: NonNullable<Config["http"]>;
  prisma: PrismaClient;
  discord: Client;
  logger: Logger;
}): Promise<WebServer> {
  const app = createHttpServer({
    readiness: {
      database: async () => {
        await deps.prisma.$queryRaw`SELECT 1`;
        return true;
      },
      gateway: () => deps.discord.isReady(),
    },
    routes: [],
    logger: deps.logger,
  });
  const address = await listen(app, deps.config.port);
  deps.logger.info({ address, publicUrl: deps.config.publicUrl.href }, "web server listening");
  let stopped: Promise<void> | undefined;
  return {
    address,
    stop() {
      stopped ??= app.close();
      return stopped;
    },
  };
}
