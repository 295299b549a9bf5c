// autopilot-fill: 100 campaigns × 5 slots a day × 14 days ahead, libraries of 1,000 items each,
// on SQLite. Measures one fill of every campaign from empty (7,000 posts) and the hourly fill
// that follows (nothing new to fill), with the SQL statements each one sends. Goal: under 1 s,
// statements growing with campaigns, not with slots × items.
import { performance } from "node:perf_hooks";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { approvalNotices } from "../src/bot/approval-notices.ts";
import { autopilotNotices } from "../src/bot/autopilot-notices.ts";
import { PrismaAutopilotStore } from "../src/db/autopilot-repository.ts";
import { PrismaCampaignRepository } from "../src/db/campaign-repository.ts";
import { sqliteFileFromUrl } from "../src/db/database-url.ts";
import { PrismaSettingsRepository } from "../src/db/settings-repository.ts";
import { AutopilotService } from "../src/domain/autopilot.ts";
import { prepareCampaign } from "../src/domain/campaigns.ts";
import { PrismaClient } from "../src/generated/prisma/client.ts";
import { figuresOf } from "./figures.ts";
import { createBenchDatabase } from "./setup.ts";

const GUILD = "222222222222222222";
const CAMPAIGNS = 100;
const ITEMS = 1_000;
const DAYS_AHEAD = 14;
const figure = figuresOf("autopilot-fill");

const db = await createBenchDatabase();
const prisma = new PrismaClient({
  adapter: new PrismaBetterSqlite3({ url: sqliteFileFromUrl(db.url) }),
  log: [{ emit: "event", level: "query" }],
});
let statements = 0;
prisma.$on("query", () => {
  statements += 1;
});
try {
  const campaigns = new PrismaCampaignRepository(prisma);
  for (let i = 0; i < CAMPAIGNS; i++) {
    const campaign = await campaigns.create(
      prepareCampaign(
        {
          guildId: GUILD,
          name: `Campaign ${i}`,
          niche: "books",
          times: "08:00,11:00,14:00,17:00,20:00",
          timezone: "Europe/Berlin",
          xAccountId: db.xAccountId,
          link: "https://shop.example/book",
        },
        "bench",
      ),
      { actor: "bench", action: "campaign.created" },
    );
    await prisma.campaign.update({
      where: { id: campaign.id },
      data: { autopilotEnabled: true, autopilotDaysAhead: DAYS_AHEAD },
    });
    await prisma.contentItem.createMany({
      data: Array.from({ length: ITEMS }, (_, item) => ({
        campaignId: campaign.id,
        text: `{A good|A fine} read for campaign ${i}, pick ${item}`,
        createdBy: "bench",
      })),
    });
  }
  let now = new Date();
  const autopilot = new AutopilotService({
    campaigns,
    store: new PrismaAutopilotStore(prisma),
    notices: autopilotNotices,
    approvalNotices,
    clock: { now: () => now },
    settings: new PrismaSettingsRepository(prisma),
    approve: () => {
      throw new Error("not used");
    },
  });

  for (const [label, advanceMs] of [
    ["first", 0],
    ["hourly", 3_600_000],
  ] as const) {
    now = new Date(now.getTime() + advanceMs);
    statements = 0;
    const started = performance.now();
    const { fills, failed } = await autopilot.fillAll();
    const ms = performance.now() - started;
    if (failed.length > 0) throw new Error(`${failed.length} campaigns failed`);
    const created = fills.reduce((sum, fill) => sum + fill.created.length, 0);
    figure(`${label} fill: time`, ms, "ms", "< 1000");
    figure(`${label} fill: posts created`, created, "posts");
    figure(`${label} fill: SQL statements`, statements, "statements");
  }
} finally {
  await prisma.$disconnect();
  db.remove();
}
