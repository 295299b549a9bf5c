import type { Agent } from "node:https";
import { pathToFileURL } from "node:url";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { PrismaCampaignRepository } from "./db/campaign-repository.ts";
import { createPrismaClient, type PrismaClient } from "./db/client.ts";
import { sqliteFileFromUrl } from "./db/database-url.ts";
import { applySqliteMigrations } from "./db/migrate.ts";
import { PrismaPostRepository } from "./db/post-repository.ts";
import { CampaignService } from "./domain/campaigns.ts";
import { type Clock, systemClock } from "./domain/ports.ts";
import { PostService } from "./domain/posts.ts";
import { readEnvironment } from "./environment.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createPublishRunner } from "./scheduler/create-runner.ts";
import type { PublishRunner } from "./scheduler/runner.ts";

/** Everything the running service is made of; the bot and the scheduler plug in here. */
export interface Herald {
  prisma: PrismaClient;
  campaigns: CampaignService;
  posts: PostService;
  runner: PublishRunner;
  stop(): Promise<void>;
}

/** Test seams that are not configuration: a private CA for the X client, a clock. */
export interface HeraldOverrides {
  xHttpAgent?: Agent;
  clock?: Clock;
}

/** The composition root: the one place adapters are wired into services. */
export async function startHerald(
  config: Config,
  logger: Logger,
  overrides: HeraldOverrides = {},
): Promise<Herald> {
  const clock = overrides.clock ?? systemClock;
  const file = sqliteFileFromUrl(config.databaseUrl);
  const { applied } = applySqliteMigrations(file);
  logger.info({ database: file, applied }, "database ready");

  const prisma = createPrismaClient(config.databaseUrl);
  await prisma.$connect();
  const campaignRepository = new PrismaCampaignRepository(prisma);
  const postRepository = new PrismaPostRepository(prisma);
  const campaigns = new CampaignService(campaignRepository);

  const runner = createPublishRunner({
    prisma,
    config,
    clock,
    logger,
    xHttpAgent: overrides.xHttpAgent,
  });
  const posts = new PostService({
    campaigns: campaignRepository,
    posts: postRepository,
    clock,
    onChange: () => runner.wake(),
  });
  runner.on("post.published", ({ post, xPostId }) =>
    logger.info({ postId: post.id, xPostId }, "post published"),
  );
  runner.on("post.failed", ({ post, reason }) =>
    logger.warn({ postId: post.id, reason }, "post failed"),
  );
  runner.on("post.missed", ({ post }) => logger.warn({ postId: post.id }, "post missed"));
  runner.on("account.invalid", ({ xAccountId, reason }) =>
    logger.error({ xAccountId, reason }, "X account invalid; its posts are held"),
  );
  await runner.start();
  // Seam for a later issue: the Discord bot (src/bot) starts here and is stopped first in stop().
  // Until its gateway socket holds the event loop open, this timer does (the runner's timer is
  // only armed while something is due).
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1);

  return {
    prisma,
    campaigns,
    posts,
    runner,
    async stop() {
      clearInterval(keepAlive);
      await runner.stop();
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
