import type { Agent } from "node:https";
import { runnerNotices } from "../bot/runner-notices.ts";
import type { Config } from "../config.ts";
import { PrismaCampaignRepository } from "../db/campaign-repository.ts";
import { type PrismaClient, providerOfClient } from "../db/client.ts";
import { PrismaOutboxRepository } from "../db/outbox-repository.ts";
import { PrismaPostRepository } from "../db/post-repository.ts";
import { PrismaPublishQueue } from "../db/publish-queue.ts";
import { PrismaSettingsRepository } from "../db/settings-repository.ts";
import { PrismaXAccountRepository } from "../db/x-account-repository.ts";
import { DEFAULT_BACKOFF } from "../domain/backoff.ts";
import type { Clock } from "../domain/ports.ts";
import type { Post } from "../domain/posts.ts";
import { PricedPublisher } from "../domain/priced-publisher.ts";
import { SecretBox } from "../domain/secrets.ts";
import type { XSpend } from "../domain/x-spend.ts";
import type { Logger } from "../logger.ts";
import { X_REQUEST_TIMEOUT_MS } from "../x/client.ts";
import { XPublisher } from "../x/x-publisher.ts";
import { PublishRunner, type RunnerSettings } from "./runner.ts";

export interface PublishRunnerOptions {
  prisma: PrismaClient;
  config: Pick<Config, "x" | "publishing" | "secretKey"> &
    Partial<Pick<Config, "previousSecretKeys">>;
  clock: Clock;
  logger: Logger;
  /** For a proxy or a private CA in front of X; none for the default. */
  xHttpAgent?: Agent | undefined;
  settings?: Partial<RunnerSettings>;
  /** The guild whose /settings grace window applies; without one, the environment's always does. */
  guildId?: string | undefined;
  /** Writes what each publish costs to the spend ledger and holds posting on a used-up budget. */
  spend?: XSpend | undefined;
  /** The link X receives for a tracked post (RunnerDeps.trackedLink). */
  trackedLink?: ((post: Post) => Promise<string | null>) | undefined;
}

/** The publishing runner wired to the database and X, as the service and its crash test run it. */
export function createPublishRunner(options: PublishRunnerOptions): PublishRunner {
  const { prisma, config, clock, logger, guildId, spend } = options;
  const settings = new PrismaSettingsRepository(prisma);
  const accounts = new PrismaXAccountRepository(
    prisma,
    new SecretBox({ current: config.secretKey, previous: config.previousSecretKeys ?? [] }),
  );
  const publisher = new XPublisher({
    apiBase: config.x.apiBase,
    timeoutMs: X_REQUEST_TIMEOUT_MS,
    httpAgent: options.xHttpAgent,
    clock,
  });
  return new PublishRunner({
    posts: new PrismaPostRepository(prisma),
    queue: new PrismaPublishQueue(prisma),
    campaigns: new PrismaCampaignRepository(prisma),
    accounts,
    notices: runnerNotices,
    outbox: new PrismaOutboxRepository(prisma),
    publisher:
      spend === undefined
        ? publisher
        : new PricedPublisher(publisher, spend, accounts, (error) =>
            logger.error({ err: error }, "X spend of a publish could not be recorded"),
          ),
    postingGate: spend,
    trackedLink: options.trackedLink,
    clock,
    logger,
    settings: {
      leaseMs: 30_000,
      maxAttempts: 5,
      graceMs: config.publishing.lateGraceMs,
      // Requests to X in flight at once. X limits counts per window, not parallel requests (the
      // budgets above keep to its counts); 32 lets claims and records go in batches (bench:
      // publish-throughput, 168 posts/s with 4 one by one, about 500 with 32 in batches).
      concurrency: 32,
      budget: config.publishing.budget,
      backoff: DEFAULT_BACKOFF,
      prices: config.x.prices,
      // SQLite: this process owns the database, so leases left by a previous run are stale.
      // PostgreSQL: other instances may hold live leases; only expired ones are taken over.
      reclaimAllLeasesAtStart: providerOfClient(prisma) === "sqlite",
      ...options.settings,
    },
    guildGraceMs:
      guildId === undefined
        ? undefined
        : async () => {
            const { lateGraceMinutes } = await settings.get(guildId);
            return lateGraceMinutes === null ? null : lateGraceMinutes * 60_000;
          },
  });
}
