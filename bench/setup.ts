import type { Agent } from "node:https";
import { join } from "node:path";
import type { PrismaClient } from "../src/db/client.ts";
import { applySqliteMigrations } from "../src/db/migrate.ts";
import { systemClock } from "../src/domain/ports.ts";
import { DEFAULT_X_PRICES } from "../src/domain/x-prices.ts";
import { createLogger } from "../src/logger.ts";
import { createPublishRunner } from "../src/scheduler/create-runner.ts";
import type { PublishRunner } from "../src/scheduler/runner.ts";
import { type SeededCampaign, seedCampaign } from "../tests/support/seed-database.ts";
import { makeTempDir } from "../tests/support/temp-dir.ts";

export const X_ACCOUNT = {
  userId: "1790000000000000100",
  username: "desk_deals",
  accessToken: "token-desk",
};
export const SECRET_KEY = Buffer.alloc(32, 8);

/** Production budgets would stop a benchmark after 100 posts: these never bind. */
export const UNLIMITED_BUDGET = { per24Hours: 100_000, per15Minutes: 100_000 };

export interface BenchDatabase extends SeededCampaign {
  file: string;
  url: string;
  remove(): void;
}

/** A migrated SQLite file in a temp folder with one X account and one campaign. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const temp = makeTempDir("herald-bench-");
  const file = join(temp.dir, "herald.db");
  applySqliteMigrations(file);
  const url = `file:${file}`;
  const campaign = await seedCampaign(url, SECRET_KEY, X_ACCOUNT);
  return { ...campaign, file, url, remove: temp.remove };
}

/** Distinct post texts, every third with an affiliate link. */
export function postText(i: number): { text: string; link?: string } {
  const text = `Deal ${i + 1}: desk gadget of the day, ${Math.random().toString(36).slice(2, 8)}`;
  return i % 3 === 0 ? { text, link: `https://shop.example.com/p/${1000 + i}?ref=desk` } : { text };
}

/** The production runner wiring, on the system clock, posting to the fake X without budgets. */
export function benchRunner(
  prisma: PrismaClient,
  fakeX: { url: string; agent: Agent },
): PublishRunner {
  return createPublishRunner({
    prisma,
    config: {
      x: { apiBase: new URL(fakeX.url), defaultAccount: null, prices: DEFAULT_X_PRICES },
      publishing: { budget: UNLIMITED_BUDGET, lateGraceMs: 15 * 60_000 },
      secretKey: SECRET_KEY,
    },
    clock: systemClock,
    logger: createLogger("silent"),
    xHttpAgent: fakeX.agent,
  });
}
