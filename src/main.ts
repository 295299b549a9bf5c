import { pathToFileURL } from "node:url";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { PrismaCampaignRepository } from "./db/campaign-repository.ts";
import { createPrismaClient, type PrismaClient } from "./db/client.ts";
import { sqliteFileFromUrl } from "./db/database-url.ts";
import { applySqliteMigrations } from "./db/migrate.ts";
import { PrismaPostRepository } from "./db/post-repository.ts";
import { CampaignService } from "./domain/campaigns.ts";
import { systemClock } from "./domain/ports.ts";
import { PostService } from "./domain/posts.ts";
import { readEnvironment } from "./environment.ts";
import { createLogger, type Logger } from "./logger.ts";

/** Everything the running service is made of; the bot and the scheduler plug in here. */
export interface Herald {
  prisma: PrismaClient;
  campaigns: CampaignService;
  posts: PostService;
  stop(): Promise<void>;
}

/** The composition root: the one place adapters are wired into services. */
export async function startHerald(config: Config, logger: Logger): Promise<Herald> {
  const file = sqliteFileFromUrl(config.databaseUrl);
  const { applied } = applySqliteMigrations(file);
  logger.info({ database: file, applied }, "database ready");

  const prisma = createPrismaClient(config.databaseUrl);
  await prisma.$connect();
  const campaignRepository = new PrismaCampaignRepository(prisma);
  const postRepository = new PrismaPostRepository(prisma);
  const campaigns = new CampaignService(campaignRepository);
  const posts = new PostService({
    campaigns: campaignRepository,
    posts: postRepository,
    clock: systemClock,
  });
  // Seams for later issues: the scheduler runner (src/scheduler) and the Discord bot (src/bot)
  // are started here from these services and stopped in stop(), bot first, database last.
  // Until they hold the event loop open (gateway socket, runner timer), this timer does.
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1);

  return {
    prisma,
    campaigns,
    posts,
    async stop() {
      clearInterval(keepAlive);
      await prisma.$disconnect();
    },
  };
}

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const herald = await startHerald(config, logger);
  logger.info({ guild: config.discord.guildId }, "ready");

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // A stuck dependency must not keep the process alive forever.
    setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    herald.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `Herald failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  });
}
