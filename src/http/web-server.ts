/**
 * The web server as main starts it: wires the routes to the database and Discord, listens on
 * HERALD_HTTP_PORT and stops cleanly.
 */
import type { Client } from "discord.js";
import type { Config } from "../config.ts";
import type { PrismaClient } from "../db/client.ts";
import { PrismaPostbacks } from "../db/postback-repository.ts";
import { PrismaTrackedLinks } from "../db/tracked-link-repository.ts";
import type { Clock } from "../domain/ports.ts";
import type { Logger } from "../logger.ts";
import { ClickRecorder } from "./click-recorder.ts";
import { postbackRoutes } from "./postback-routes.ts";
import { redirectRoutes } from "./redirect-routes.ts";
import { createHttpServer, listen } from "./server.ts";
import { VisitorHasher } from "./visitors.ts";

export interface WebServer {
  /** Where this instance listens, e.g. http://0.0.0.0:8080 (tests use it with port 0). */
  readonly address: string;
  /** Writes the clicks queued so far (tests read the database right after). */
  flushClicks(): Promise<void>;
  /** Stops taking requests, finishes the ones in flight and writes their clicks. */
  stop(): Promise<void>;
}

export async function startWebServer(deps: {
  config: NonNullable<Config["http"]>;
  guildId: string;
  prisma: PrismaClient;
  discord: Client;
  secretKey: Buffer;
  clock: Clock;
  logger: Logger;
}): Promise<WebServer> {
  const links = new PrismaTrackedLinks(deps.prisma, true);
  const clicks = new ClickRecorder(deps.prisma, deps.logger);
  const postbacks = new PrismaPostbacks(deps.prisma);
  const app = createHttpServer({
    readiness: {
      database: async () => {
        await deps.prisma.$queryRaw`SELECT 1`;
        return true;
      },
      gateway: () => deps.discord.isReady(),
    },
    routes: [
      redirectRoutes({
        targets: (code) => links.target(code),
        clicks,
        visitors: new VisitorHasher(deps.secretKey),
        clock: deps.clock,
      }),
      postbackRoutes({
        receiver: () => postbacks.receiver(deps.guildId),
        record: (report) => postbacks.record(deps.guildId, report),
        flushClicks: () => clicks.drain(),
        logger: deps.logger,
      }),
    ],
    logger: deps.logger,
  });
  const address = await listen(app, deps.config.port);
  deps.logger.info({ address, publicUrl: deps.config.publicUrl.href }, "web server listening");
  let stopped: Promise<void> | undefined;
  return {
    address,
    flushClicks: () => clicks.drain(),
    stop() {
      // Requests in flight finish first, then every click they queued is written.
      stopped ??= app.close().then(() => clicks.drain());
      return stopped;
    },
  };
}
