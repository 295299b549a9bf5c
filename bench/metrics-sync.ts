// metrics-sync: one metrics sync of 10,000 published posts against the fake X (in its own
// process, as X is elsewhere in production): the requests it makes (ceil(10,000 / 100) = 100
// when the read budget allows them all) and how long it takes, with production's client
// settings; then a run with the default read budget, which reads 2,000 posts and leaves the rest.
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { createPrismaClient } from "../src/db/client.ts";
import { PrismaMetricsRepository } from "../src/db/metrics-repository.ts";
import { PrismaXAccountRepository } from "../src/db/x-account-repository.ts";
import { DEFAULT_SYNC_SETTINGS, MetricsSync } from "../src/domain/metrics-sync.ts";
import { systemClock } from "../src/domain/ports.ts";
import { SecretBox } from "../src/domain/secrets.ts";
import { X_REQUEST_TIMEOUT_MS } from "../src/x/client.ts";
import { XMetricsSource } from "../src/x/x-metrics-source.ts";
import { XPublisher } from "../src/x/x-publisher.ts";
import { startFakeXProcess } from "../tests/support/fake-x/process.ts";
import { sqliteDate } from "../tests/support/seed-database.ts";
import { figuresOf } from "./figures.ts";
import { createBenchDatabase, SECRET_KEY, X_ACCOUNT } from "./setup.ts";

const POSTS = 10_000;
const SETUP_CONCURRENCY = 32;
const LOOKUP = "GET /2/tweets" as const;
const figure = figuresOf("metrics-sync");

const db = await createBenchDatabase();
const fake = await startFakeXProcess({ accounts: [X_ACCOUNT] });
const agent = new Agent({ ca: readFileSync(fake.caFile, "utf8"), keepAlive: true });
const prisma = createPrismaClient(db.url);
try {
  const connection = {
    apiBase: new URL(fake.url),
    timeoutMs: X_REQUEST_TIMEOUT_MS,
    httpAgent: agent,
    clock: systemClock,
  };
  const accounts = new PrismaXAccountRepository(prisma, new SecretBox({ current: SECRET_KEY }));
  const account = {
    id: db.xAccountId,
    xUserId: X_ACCOUNT.userId,
    credentials: await accounts.credentialsOf(db.xAccountId),
  };

  // Setup: the posts exist on the fake X and are published in Herald's database.
  const publisher = new XPublisher(connection);
  const xPostIds: string[] = new Array(POSTS);
  let next = 0;
  await Promise.all(
    Array.from({ length: SETUP_CONCURRENCY }, async () => {
      for (let i = next++; i < POSTS; i = next++) {
        const outcome = await publisher.publish({
          account,
          text: `Metrics bench post ${i}`,
          media: [],
          sensitive: false,
          paidPartnership: false,
        });
        if (outcome.kind !== "published") throw new Error(`setup publish: ${outcome.kind}`);
        xPostIds[i] = outcome.xPostId;
      }
    }),
  );
  const sqlite = new Database(db.file);
  const insert = sqlite.prepare(
    `INSERT INTO "Post" (campaignId, text, media, scheduledAt, status, xPostId, publishedAt, createdBy, createdAt, updatedAt)
     VALUES (?, ?, '[]', ?, 'published', ?, ?, 'bench', ?, ?)`,
  );
  sqlite.transaction(() => {
    const now = sqliteDate(new Date());
    for (const [i, xPostId] of xPostIds.entries()) {
      insert.run(db.campaignId, `Metrics bench post ${i}`, now, xPostId, now, now, now);
    }
  })();
  sqlite.close();
  await prisma.$connect();

  const sync = (readBudget: number) =>
    new MetricsSync({
      store: new PrismaMetricsRepository(prisma),
      accounts,
      source: new XMetricsSource(connection),
      clock: systemClock,
      wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      settings: { readBudget },
    });
  const measure = async (label: string, readBudget: number) => {
    const before = await fake.control.requestCount(LOOKUP);
    const started = performance.now();
    const summary = await sync(readBudget).run();
    const ms = performance.now() - started;
    const requests = (await fake.control.requestCount(LOOKUP)) - before;
    figure(`${label} requests`, requests, "requests", label.startsWith("all") ? "100" : "-");
    figure(`${label} posts recorded`, summary.recorded, "posts");
    figure(`${label} posts deferred`, summary.deferred, "posts");
    figure(`${label} duration`, ms, "ms");
  };
  await measure("all 10,000, first sync", POSTS);
  await measure("all 10,000, second sync", POSTS);
  await measure(
    `default budget (${DEFAULT_SYNC_SETTINGS.readBudget})`,
    DEFAULT_SYNC_SETTINGS.readBudget,
  );
  figure("snapshots stored", await prisma.postMetrics.count(), "rows");
} finally {
  await prisma.$disconnect();
  agent.destroy();
  await fake.stop();
  db.remove();
}
