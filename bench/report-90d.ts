// report-90d: /report over 90 days on SQLite with 10,000 published posts in 10 campaigns and
// 1,000,000 PostMetrics rows (100 snapshots per post). Measures the report as /report builds it:
// the database reads and analytics (ReportService), then the same plus the embed and chart PNG
// (the whole handler minus Discord). Goal: p99 under 300 ms.
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { reportMessage } from "../src/bot/render/report-message.ts";
import { PrismaCampaignRepository } from "../src/db/campaign-repository.ts";
import { createPrismaClient, tuneSqlite } from "../src/db/client.ts";
import { PrismaMetricsRepository } from "../src/db/metrics-repository.ts";
import { PrismaSettingsRepository } from "../src/db/settings-repository.ts";
import { PrismaXAccountRepository } from "../src/db/x-account-repository.ts";
import { prepareCampaign } from "../src/domain/campaigns.ts";
import { systemClock } from "../src/domain/ports.ts";
import { ReportService } from "../src/domain/reports.ts";
import { SecretBox } from "../src/domain/secrets.ts";
import { sqliteDate } from "../tests/support/seed-database.ts";
import { figuresOf, quantile } from "./figures.ts";
import { createBenchDatabase, SECRET_KEY } from "./setup.ts";

const GUILD = "222222222222222222";
const CAMPAIGNS = 10;
const POSTS = 10_000;
const SNAPSHOTS_PER_POST = 100;
const RUNS = 40;
const DAY = 24 * 60 * 60 * 1000;
const figure = figuresOf("report-90d");

const db = await createBenchDatabase();
const prisma = createPrismaClient(db.url);
try {
  const campaigns = new PrismaCampaignRepository(prisma);
  const campaignIds = [db.campaignId];
  for (let i = 1; i < CAMPAIGNS; i++) {
    const campaign = await campaigns.create(
      prepareCampaign(
        {
          guildId: GUILD,
          name: `Campaign ${i}`,
          niche: `niche-${i % 4}`,
          times: "09:00",
          timezone: "Europe/Berlin",
          xAccountId: db.xAccountId,
          epc: 0.3,
        },
        "bench",
      ),
      { actor: "bench", action: "campaign.created" },
    );
    campaignIds.push(campaign.id);
  }
  await new PrismaSettingsRepository(prisma).update(
    GUILD,
    { timezone: "Europe/Berlin" },
    { actor: "bench", action: "settings.updated" },
  );

  const seedStarted = performance.now();
  const now = Date.now();
  const sqlite = new Database(db.file);
  const insertPost = sqlite.prepare(
    `INSERT INTO "Post" (campaignId, text, media, scheduledAt, status, xPostId, publishedAt, costUsd, createdBy, createdAt, updatedAt)
     VALUES (?, ?, '[]', ?, 'published', ?, ?, 0.2, 'bench', ?, ?)`,
  );
  const insertMetrics = sqlite.prepare(
    `INSERT INTO "PostMetrics" (postId, impressions, likes, reposts, replies, quotes, bookmarks, urlLinkClicks, engagementRate, recordedAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  sqlite.transaction(() => {
    const created = sqliteDate(new Date(now));
    for (let i = 0; i < POSTS; i++) {
      const published = now - ((i * 89 * DAY) / POSTS + 60_000);
      const at = sqliteDate(new Date(published));
      const postId = Number(
        insertPost.run(
          campaignIds[i % CAMPAIGNS],
          `Post ${i}`,
          at,
          String(1_800_000_000_000_000_000n + BigInt(i)),
          at,
          created,
          created,
        ).lastInsertRowid,
      );
      for (let s = 0; s < SNAPSHOTS_PER_POST; s++) {
        const impressions = 50 * (s + 1) + (i % 97);
        const likes = s + (i % 7);
        insertMetrics.run(
          postId,
          impressions,
          likes,
          s % 5,
          s % 3,
          s % 2,
          s,
          s * 2,
          (likes + (s % 5) + (s % 3) + (s % 2)) / impressions,
          sqliteDate(new Date(published + (s + 1) * 60 * 60 * 1000)),
        );
      }
    }
  })();
  // What the sync keeps beside the series: each post's latest snapshot.
  sqlite.exec(`
    INSERT INTO "PostMetricsLatest"
    SELECT m."postId", m."impressions", m."likes", m."reposts", m."replies", m."quotes",
           m."bookmarks", m."urlLinkClicks", m."engagementRate", m."recordedAt"
    FROM "PostMetrics" m
    WHERE m."id" IN (SELECT MAX("id") FROM "PostMetrics" GROUP BY "postId")`);
  sqlite.close();
  figure("seed", (performance.now() - seedStarted) / 1000, "s");

  await prisma.$connect();
  await tuneSqlite(prisma);
  const reports = new ReportService({
    campaigns,
    accounts: new PrismaXAccountRepository(prisma, new SecretBox({ current: SECRET_KEY })),
    settings: new PrismaSettingsRepository(prisma),
    store: new PrismaMetricsRepository(prisma),
    clock: systemClock,
  });

  // Warm-up: JIT, Prisma's query plans, vega's first parse.
  await reportMessage(await reports.report(GUILD, { range: "90d" }));

  const dataTimes: number[] = [];
  const fullTimes: number[] = [];
  let postsCounted = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const report = await reports.report(GUILD, { range: "90d" });
    const built = performance.now();
    await reportMessage(report);
    const rendered = performance.now();
    dataTimes.push(built - started);
    fullTimes.push(rendered - started);
    postsCounted = report.analytics.totals.posts;
  }
  figure("posts in report", postsCounted, "posts");
  figure("report data p50", quantile(dataTimes, 0.5), "ms");
  figure("report data p99", quantile(dataTimes, 0.99), "ms", "< 300");
  figure("report with chart p50", quantile(fullTimes, 0.5), "ms");
  figure("report with chart p99", quantile(fullTimes, 0.99), "ms", "< 300");
} finally {
  await prisma.$disconnect();
  db.remove();
}
