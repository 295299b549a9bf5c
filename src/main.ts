import type { Agent } from "node:https";
import { pathToFileURL } from "node:url";
import { type Client, Events } from "discord.js";
import { ApprovalMessages } from "./bot/approval-messages.ts";
import { approvalNotices } from "./bot/approval-notices.ts";
import { autopilotNotices } from "./bot/autopilot-notices.ts";
import { createDiscordClient, startBot } from "./bot/bot.ts";
import { createOutboxRest } from "./bot/outbox-delivery.ts";
import { OutboxDispatcher } from "./bot/outbox-dispatcher.ts";
import { dailyReportMessage } from "./bot/render/report-message.ts";
import { teamNotices } from "./bot/team-notices.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { PrismaAutopilotStore } from "./db/autopilot-repository.ts";
import { PrismaCampaignRepository } from "./db/campaign-repository.ts";
import { createPrismaClient, type PrismaClient, tuneSqlite } from "./db/client.ts";
import { PostgresClockLeadership } from "./db/clock-leadership.ts";
import { PrismaContentImports } from "./db/content-import-repository.ts";
import { PrismaContentItemRepository } from "./db/content-item-repository.ts";
import { providerOf } from "./db/database-url.ts";
import { PrismaExperimentRepository } from "./db/experiment-repository.ts";
import { PrismaMediaRetention } from "./db/media-retention-repository.ts";
import { PrismaMetricsRepository } from "./db/metrics-repository.ts";
import { MigrationError } from "./db/migrate.ts";
import { migrateDatabase } from "./db/migrate-database.ts";
import { PrismaOutboxRepository } from "./db/outbox-repository.ts";
import { PrismaPostRepository } from "./db/post-repository.ts";
import { PrismaPostbacks } from "./db/postback-repository.ts";
import { DatabaseUnreachableError } from "./db/postgres-connect.ts";
import { PrismaReportRuns } from "./db/report-run-repository.ts";
import { PrismaSettingsRepository } from "./db/settings-repository.ts";
import { PrismaTrackedLinks } from "./db/tracked-link-repository.ts";
import { PrismaXAccountRepository } from "./db/x-account-repository.ts";
import { PrismaXSpendRepository } from "./db/x-spend-repository.ts";
import { AutopilotService } from "./domain/autopilot.ts";
import { DEFAULT_BACKOFF } from "./domain/backoff.ts";
import { CampaignService } from "./domain/campaigns.ts";
import { ContentImports } from "./domain/content-import.ts";
import { ContentLibrary } from "./domain/content-library.ts";
import { ExperimentQueue } from "./domain/experiment-queue.ts";
import { ExperimentService } from "./domain/experiments.ts";
import { MediaRetention } from "./domain/media-retention.ts";
import { DEFAULT_CADENCE } from "./domain/metrics-cadence.ts";
import { MetricsSync, type SyncSummary } from "./domain/metrics-sync.ts";
import { MissedPosts } from "./domain/missed-posts.ts";
import { type Clock, systemClock } from "./domain/ports.ts";
import { PostService } from "./domain/posts.ts";
import { ReportService } from "./domain/reports.ts";
import { SecretBox } from "./domain/secrets.ts";
import { SettingsService } from "./domain/settings.ts";
import { trackedLinkUrl } from "./domain/tracked-links.ts";
import { XAccountService } from "./domain/x-accounts.ts";
import { XSpend } from "./domain/x-spend.ts";
import { readEnvironment } from "./environment.ts";
import { startWebServer, type WebServer } from "./http/web-server.ts";
import { createLogger, type Logger } from "./logger.ts";
import { MediaStore } from "./media/media-store.ts";
import { ClockJobs } from "./scheduler/clock-jobs.ts";
import { createPublishRunner } from "./scheduler/create-runner.ts";
import { DailyReport } from "./scheduler/daily-report.ts";
import { DefaultAccountSetup } from "./scheduler/default-account.ts";
import { type ExperimentJob, experimentJob } from "./scheduler/experiment-job.ts";
import type { PublishRunner } from "./scheduler/runner.ts";
import { X_REQUEST_TIMEOUT_MS } from "./x/client.ts";
import { XMetricsSource } from "./x/x-metrics-source.ts";
import type { XClientSettings } from "./x/x-publisher.ts";
import { XApiVerifier } from "./x/x-verifier.ts";

/** Everything the running service is made of. */
export interface Herald {
  prisma: PrismaClient;
  campaigns: CampaignService;
  posts: PostService;
  runner: PublishRunner;
  /** Daily report and metrics sync run here; on PostgreSQL only one instance runs them. */
  clockJobs: ClockJobs;
  reports: ReportService;
  experiments: ExperimentService;
  dailyReport: DailyReport;
  discord: Client;
  /** The X_API_* account being stored; null when the environment names none. */
  defaultAccount: DefaultAccountSetup | null;
  /** Delivers the messages written with state changes (design.md section 11). */
  outbox: OutboxDispatcher;
  /** The web server for tracked links and postbacks; null when HERALD_PUBLIC_URL is not set. */
  web: WebServer | null;
  /** One metrics sync and CampaignDaily rebuild, as the clock job runs it. */
  syncMetrics(): Promise<SyncSummary>;
  /** One pass of the experiments' queueing job, as its clock tick runs it. */
  queueExperiments(): Promise<void>;
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
  const database = await migrateDatabase(config.databaseUrl, {
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    logger,
  });
  logger.info({ database: database.where, applied: database.applied }, "database ready");

  const prisma = createPrismaClient(config.databaseUrl);
  await prisma.$connect();
  if (providerOf(config.databaseUrl) === "sqlite") await tuneSqlite(prisma);
  const campaignRepository = new PrismaCampaignRepository(prisma);
  const postRepository = new PrismaPostRepository(prisma);
  const accountRepository = new PrismaXAccountRepository(
    prisma,
    new SecretBox({ current: config.secretKey, previous: config.previousSecretKeys }),
  );
  if (config.previousSecretKeys.length > 0) {
    const resealed = await accountRepository.resealStale();
    logger.info({ accounts: resealed }, "X credentials sealed again with HERALD_SECRET_KEY");
  }
  const settingsRepository = new PrismaSettingsRepository(prisma);
  // Messages are written with the changes they report; the outbox delivers them once the bot is
  // ready (design.md section 11). Services wake it after a change commits.
  let outbox: OutboxDispatcher | undefined;
  const wakeOutbox = () => outbox?.wake();
  const spend = new XSpend({
    guildId: config.discord.guildId,
    ledger: new PrismaXSpendRepository(prisma),
    settings: settingsRepository,
    prices: config.x.prices,
    clock,
    notices: teamNotices,
    onNotice: wakeOutbox,
  });
  // The daily report moves with report_time and timezone; it exists once the bot can deliver it.
  let dailyReport: DailyReport | undefined;
  let runner: PublishRunner | undefined;
  const settings = new SettingsService(settingsRepository, {
    notices: approvalNotices,
    onChange: () => {
      // A changed budget takes effect at once: reads may resume, held posts may go out.
      spend.forget();
      runner?.wake();
      wakeOutbox();
      dailyReport?.reschedule().catch((error: unknown) => {
        logger.error({ err: error }, "the daily report could not be rescheduled");
      });
    },
  });

  // How every X client Herald makes reaches X: the verifier, the metrics source (and the runner's
  // publisher, which createPublishRunner builds the same way).
  const xConnection: XClientSettings = {
    apiBase: config.x.apiBase,
    timeoutMs: X_REQUEST_TIMEOUT_MS,
    httpAgent: overrides.xHttpAgent,
    clock,
  };
  const trackedLinks = new PrismaTrackedLinks(prisma, config.http !== null);
  const http = config.http;
  const publishRunner = createPublishRunner({
    prisma,
    config,
    clock,
    logger,
    xHttpAgent: overrides.xHttpAgent,
    guildId: config.discord.guildId,
    spend,
    trackedLink:
      http === null
        ? undefined
        : async (post) => {
            const code = await trackedLinks.codeFor(post.id);
            return code === null ? null : trackedLinkUrl(http.publicUrl, code);
          },
  });
  runner = publishRunner;
  const changed = () => {
    publishRunner.wake();
    wakeOutbox();
  };
  const campaigns = new CampaignService(campaignRepository, postRepository, {
    notices: { approvals: approvalNotices, team: teamNotices },
    onChange: changed,
  });
  const posts = new PostService({
    campaigns: campaignRepository,
    posts: postRepository,
    clock,
    settings: settingsRepository,
    notices: approvalNotices,
    onChange: changed,
  });
  // Filled by the hourly job and whenever autopilot or a library changes (runNow).
  const fillAutopilot = () => clockJobs.runNow(AUTOPILOT_JOB);
  const autopilot = new AutopilotService({
    campaigns: campaignRepository,
    store: new PrismaAutopilotStore(prisma),
    notices: autopilotNotices,
    approvalNotices,
    clock,
    settings: settingsRepository,
    approve: (postId, actor) => posts.approve(postId, actor),
    onConfigured: fillAutopilot,
  });
  const contentItems = new PrismaContentItemRepository(prisma);
  const content = new ContentLibrary({
    campaigns: campaignRepository,
    items: contentItems,
    clock,
    onChange: fillAutopilot,
  });
  const contentImports = new ContentImports({
    campaigns: campaignRepository,
    library: content,
    items: contentItems,
    imports: new PrismaContentImports(prisma),
    clock,
    onChange: fillAutopilot,
  });
  const missed = new MissedPosts({
    campaigns: campaignRepository,
    posts: postRepository,
    clock,
    notices: approvalNotices,
    onChange: changed,
  });
  const accounts = new XAccountService({
    accounts: accountRepository,
    verifier: new XApiVerifier(xConnection),
    spend,
    defaultBudget: config.publishing.budget,
    notices: teamNotices,
    onConnected: () => publishRunner.wake(),
    onDisconnected: wakeOutbox,
  });
  const defaultAccount =
    config.x.defaultAccount === null
      ? null
      : new DefaultAccountSetup({
          guildId: config.discord.guildId,
          credentials: { kind: "oauth1", ...config.x.defaultAccount },
          accounts,
          campaigns: campaignRepository,
          logger,
          backoff: DEFAULT_BACKOFF,
          onAdopted: () => publishRunner.wake(),
        });
  logRunnerEvents(publishRunner, logger);
  const clockJobs = new ClockJobs({
    logger,
    leadership:
      providerOf(config.databaseUrl) === "postgresql"
        ? new PostgresClockLeadership(config.databaseUrl, logger)
        : undefined,
  });

  const metricsRepository = new PrismaMetricsRepository(prisma);
  const reports = new ReportService({
    campaigns: campaignRepository,
    accounts: accountRepository,
    settings: settingsRepository,
    store: metricsRepository,
    clock,
    spend: new PrismaXSpendRepository(prisma),
  });
  const metricsSync = new MetricsSync({
    store: metricsRepository,
    accounts: accountRepository,
    source: new XMetricsSource(xConnection),
    clock,
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onDeferred: (event) => logger.warn(event, "metrics of some posts left for the next sync"),
    spend,
    settings: {
      readBudget: config.metrics.readsPerRun,
      cadence: { ...DEFAULT_CADENCE, agesDays: config.metrics.agesDays },
    },
  });
  const syncMetrics = async () => {
    const summary = await metricsSync.run();
    const days = await reports.rebuildDaily(config.discord.guildId);
    logger.info({ ...summary, campaignDays: days }, "metrics synced");
    return summary;
  };

  const experimentRepository = new PrismaExperimentRepository(prisma);
  let queueExperiment: ExperimentJob["fill"] = async () => [];
  const experiments = new ExperimentService({
    experiments: experimentRepository,
    campaigns: campaignRepository,
    clock,
    trackingAvailable: config.http !== null,
    onCreated: (experiment) => queueExperiment(experiment),
  });

  const media = new MediaStore(config.mediaDir ?? database.defaultMediaDir);
  const mediaRetention = new MediaRetention({
    store: new PrismaMediaRetention(prisma),
    files: media,
    clock,
    retentionDays: config.mediaRetentionDays,
  });

  const discord = createDiscordClient(config.discord);
  let web: WebServer | null = null;
  const experimentQueue = experimentJob({
    queue: new ExperimentQueue({
      experiments: experimentRepository,
      slots: experimentRepository,
      campaigns: campaignRepository,
      posts: postRepository,
      approvalNotices,
      clock,
    }),
    onQueued: wakeOutbox,
    logger,
  });
  queueExperiment = experimentQueue.fill;
  const dispatcher = new OutboxDispatcher({
    store: new PrismaOutboxRepository(prisma),
    rest: createOutboxRest(config.discord),
    targets: {
      approvalChannelId: async (guildId) => (await settings.get(guildId)).approvalChannelId,
      approvalMessageOf: async (postId) =>
        (await postRepository.findById(postId))?.approvalMessage ?? null,
    },
    clock,
    logger,
    settings: { reclaimAllLeasesAtStart: providerOf(config.databaseUrl) === "sqlite" },
  });
  outbox = dispatcher;
  const approvals = new ApprovalMessages({ outbox: dispatcher, campaigns, posts, settings });
  // The runner's notices are committed before its events fire.
  for (const event of [
    "post.published",
    "post.failed",
    "posts.missed",
    "account.invalid",
    "account.held",
  ] as const) {
    publishRunner.on(event, wakeOutbox);
  }
  try {
    await startBot(
      discord,
      config.discord,
      {
        guildId: config.discord.guildId,
        campaigns,
        posts,
        content,
        contentImports,
        missed,
        autopilot,
        settings,
        accounts,
        approvals,
        reports,
        experiments,
        media,
        clock,
        logger,
        postbacks:
          http === null
            ? undefined
            : { tokens: new PrismaPostbacks(prisma), publicUrl: http.publicUrl },
      },
      logger,
    );
    // Only now: what the runner finds at start (missed posts, recovered publishes) is announced
    // through a client that is logged in.
    await dispatcher.start();
    await publishRunner.start();
    defaultAccount?.start();
    clockJobs.add({
      name: "metrics-sync",
      rule: { kind: "every", minutes: config.metrics.syncEveryMinutes },
      run: async () => {
        await syncMetrics();
      },
    });
    clockJobs.add({
      name: AUTOPILOT_JOB,
      rule: { kind: "every", minutes: 60 },
      run: async () => {
        const { fills, failed } = await autopilot.fillAll();
        for (const { campaignId, error } of failed) {
          logger.error({ err: error, campaignId }, "autopilot could not fill a campaign");
        }
        const created = fills.flatMap((fill) => fill.created);
        if (created.length > 0) logger.info({ posts: created.length }, "autopilot queued posts");
        await autopilot.morningDigests();
        outbox.wake();
      },
    });
    // Slots that came within reach while Herald was down are filled now, not at the next hour.
    fillAutopilot();
    clockJobs.add({
      name: "media-retention",
      rule: { kind: "every", minutes: 60 },
      run: async () => {
        const deleted = await mediaRetention.run();
        if (deleted > 0) logger.info({ posts: deleted }, "media of finished posts deleted");
      },
    });
    clockJobs.add(experimentQueue.job);
    dailyReport = new DailyReport({
      guildId: config.discord.guildId,
      jobs: clockJobs,
      settings,
      reports,
      runs: new PrismaReportRuns(prisma),
      render: (channelId, report) => dailyReportMessage(config.discord.guildId, channelId, report),
      onQueued: wakeOutbox,
      clock,
      logger,
    });
    await dailyReport.start();
    web =
      config.http === null
        ? null
        : await startWebServer({
            config: config.http,
            guildId: config.discord.guildId,
            prisma,
            discord,
            secretKey: config.secretKey,
            clock,
            logger,
          });
  } catch (error) {
    await web?.stop();
    await Promise.all([publishRunner.stop(), clockJobs.stop(), defaultAccount?.stop()]);
    await dispatcher.stop(0);
    await discord.destroy();
    await prisma.$disconnect();
    throw error;
  }

  return {
    prisma,
    campaigns,
    posts,
    runner: publishRunner,
    clockJobs,
    reports,
    experiments,
    dailyReport,
    discord,
    defaultAccount,
    outbox: dispatcher,
    web,
    syncMetrics,
    queueExperiments: () => experimentQueue.job.run(new Date()),
    async stop() {
      // Stop taking interactions and requests first (the web server writes its queued clicks as
      // it closes), then let in-flight publishes and clock jobs finish, then deliver what they
      // wrote (for up to 5 s; the rest goes after the next start), then close.
      discord.removeAllListeners(Events.InteractionCreate);
      await web?.stop();
      await Promise.all([
        publishRunner.stop(PUBLISH_DRAIN_MS),
        clockJobs.stop(),
        defaultAccount?.stop(),
      ]);
      await dispatcher.stop(OUTBOX_FLUSH_MS);
      await discord.destroy();
      await prisma.$disconnect();
    },
  };
}

function logRunnerEvents(runner: PublishRunner, logger: Logger): void {
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
  runner.on("account.held", ({ xAccountId, until, reason }) =>
    logger.info({ xAccountId, until, reason }, "X account's posts held"),
  );
}

/** The clock job that fills autopilot campaigns' free slots. */
const AUTOPILOT_JOB = "autopilot-fill";

/**
 * How long stop() lets in-flight publishes finish: one X request's timeout, so a publish under way
 * is recorded whatever X answers. One that takes longer (media uploads) is left to its lease: the
 * next start finds it on X's timeline or sends it again.
 */
const PUBLISH_DRAIN_MS = X_REQUEST_TIMEOUT_MS;

/** How long stop() keeps delivering the outbox once publishing has stopped (design.md 11). */
const OUTBOX_FLUSH_MS = 5_000;

/**
 * How long a stop may take before the process exits anyway: the publishes, the outbox flush,
 * then a few seconds to close Discord and the database (docker-compose.yml allows more).
 */
export const SHUTDOWN_DEADLINE_MS = PUBLISH_DRAIN_MS + OUTBOX_FLUSH_MS + 5_000;

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
  let herald: Herald;
  try {
    herald = await startHerald(config, logger);
  } catch (error) {
    if (error instanceof DatabaseUnreachableError || error instanceof MigrationError) {
      // Said plainly, without a stack: the fix is in the environment or the database.
      logger.fatal(error.message);
      process.stderr.write(`Herald cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
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
