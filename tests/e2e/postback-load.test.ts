// Postbacks under load with faults (issue 12): 10,000 postbacks (10 % repeats, 5 % unknown click
// ids, 2 % malformed) from a sender that retries on 5xx and dropped connections, through a proxy
// that refuses some and drops the answers of others, while Herald, the real process (src/main.ts),
// is killed with SIGKILL twice and started again. Afterwards each valid (click id, txid) is stored
// exactly once, as sent, with one audit event, and nothing else is.
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createPrismaClient } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate-database.ts";
import { type FakeDiscord, startFakeDiscord } from "../support/fake-discord/server.ts";
import { type FlakyProxy, startFlakyProxy } from "../support/flaky-proxy.ts";
import {
  type Postback,
  postbackWorkload,
  seededRandom,
  sendPostbacks,
} from "../support/postback-sender.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { spawnTsx, type TsxChild } from "../support/tsx-child.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const GUILD = "222222222222222222";
const TOKEN = "load-test-postback-token-0123456789";
const CLICKS = 2_000;
const TOTAL = 10_000;
const KILL_AT = [3_000, 6_500];
const SEED = 20261202;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A campaign with one published post, CLICKS clicks on it, and the guild's postback token. */
async function seed(databaseUrl: string): Promise<string[]> {
  await migrateDatabase(databaseUrl, {
    connectTimeoutMs: 5_000,
    logger: pino({ level: "silent" }),
  });
  const prisma = createPrismaClient(databaseUrl);
  try {
    await prisma.settings.create({ data: { guildId: GUILD, postbackToken: TOKEN } });
    const campaign = await prisma.campaign.create({
      data: {
        guildId: GUILD,
        name: "Coffee Gear",
        slug: "coffee-gear",
        liveSlug: "coffee-gear",
        niche: "coffee",
        timezone: "UTC",
        schedule: JSON.stringify({ days: "daily", times: ["09:00"] }),
        createdBy: "seed",
      },
    });
    const post = await prisma.post.create({
      data: {
        campaignId: campaign.id,
        text: "A burr grinder worth its counter space",
        scheduledAt: new Date("2026-12-01T09:00:00Z"),
        publishedAt: new Date("2026-12-01T09:00:00Z"),
        status: "published",
        createdBy: "seed",
      },
    });
    const clickIds = Array.from(
      { length: CLICKS },
      (_, i) => `Click${String(i).padStart(15, "0")}`,
    );
    await prisma.click.createMany({
      data: clickIds.map((clickId, i) => ({
        postId: post.id,
        clickId,
        at: new Date("2026-12-01T10:00:00Z"),
        bot: false,
        visitorHash: `visitor-${i}`,
        hour: "2026-12-01T10",
      })),
    });
    return clickIds;
  } finally {
    await prisma.$disconnect();
  }
}

/** Polls /healthz until the web server answers: it is the last thing Herald starts. */
async function waitUntilServing(origin: string, herald: TsxChild): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (herald.child.exitCode !== null) {
      throw new Error(`Herald exited while starting: ${herald.output().stderr}`);
    }
    const ok = await fetch(`${origin}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await delay(50);
  }
  throw new Error("Herald's web server did not answer within 30 s");
}

describe("postbacks under load, with Herald killed twice", () => {
  let discord: FakeDiscord;

  it("given 10,000 postbacks with repeats, unknown click ids and malformed values, retried through a lossy network while Herald is SIGKILLed twice, stores each valid (click id, txid) exactly once and nothing else", async () => {
    discord = await startFakeDiscord({
      applicationId: "111111111111111111",
      botToken: "discord-test-token",
      guilds: [
        {
          id: GUILD,
          name: "Team",
          channels: [{ id: "333333333333333333", name: "general" }],
          members: [{ id: "444444444444444444", username: "owner" }],
        },
      ],
    });
    cleanups.push(() => discord.close());
    const temp = makeTempDir();
    cleanups.push(temp.remove);
    const databaseUrl = `file:${join(temp.dir, "herald.db")}`;
    const clickIds = await seed(databaseUrl);
    const port = await freePort();
    const heraldOrigin = `http://127.0.0.1:${port}`;
    const env = {
      DISCORD_TOKEN: "discord-test-token",
      DISCORD_APPLICATION_ID: "111111111111111111",
      DISCORD_GUILD_ID: GUILD,
      DISCORD_API_BASE: discord.apiBase,
      HERALD_SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
      DATABASE_URL: databaseUrl,
      HERALD_PUBLIC_URL: "https://go.team.example",
      HERALD_HTTP_PORT: String(port),
      LOG_LEVEL: "error",
    };
    let herald = spawnTsx(MAIN, { cwd: temp.dir, env });
    cleanups.push(() => {
      if (herald.child.exitCode === null) herald.child.kill("SIGKILL");
    });
    await waitUntilServing(heraldOrigin, herald);

    const postbacks = postbackWorkload({
      total: TOTAL,
      clickIds,
      shares: { repeat: 0.1, unknown: 0.05, malformed: 0.02 },
      random: seededRandom(SEED),
    });
    const proxy: FlakyProxy = await startFlakyProxy({
      target: heraldOrigin,
      random: seededRandom(SEED + 1),
      refuse: 0.02,
      drop: 0.02,
    });
    cleanups.push(() => proxy.close());

    // Each kill lands while workers have postbacks in flight; the sender keeps retrying
    // through the downtime and the restart.
    const kills: Promise<void>[] = [];
    const killAndRestart = async () => {
      const dead = herald;
      dead.child.kill("SIGKILL");
      await dead.exited;
      herald = spawnTsx(MAIN, { cwd: temp.dir, env });
      await waitUntilServing(heraldOrigin, herald);
    };
    const stats = await sendPostbacks({
      url: `${proxy.origin}/postback/${TOKEN}`,
      postbacks,
      concurrency: 16,
      onAnswered: (answered) => {
        if (KILL_AT.includes(answered)) kills.push(killAndRestart());
      },
    });
    await Promise.all(kills);
    herald.child.kill("SIGTERM");
    expect(await herald.exited).toBe(0);

    // Faults really happened: two kills, refused requests, lost answers, dropped connections.
    expect(kills).toHaveLength(2);
    expect(proxy.counts.refused503).toBeGreaterThan(0);
    expect(proxy.counts.answersDropped).toBeGreaterThan(0);
    expect(proxy.counts.upstreamDown).toBeGreaterThan(0);
    expect(stats.retriedOn5xx).toBeGreaterThan(0);
    expect(stats.retriedOnDroppedConnection).toBeGreaterThan(0);

    // Every postback got a final answer: 200 for conversions, 404 unknown, 400 malformed.
    const finals = new Map<Postback["kind"], Set<number>>();
    for (const { postback, status } of stats.results) {
      finals.set(postback.kind, (finals.get(postback.kind) ?? new Set()).add(status));
    }
    expect(stats.results).toHaveLength(TOTAL);
    expect(Object.fromEntries([...finals].map(([kind, codes]) => [kind, [...codes]]))).toEqual({
      valid: [200],
      repeat: [200],
      unknown: [404],
      malformed: [400],
    });

    const expected = new Map(
      postbacks.flatMap((p) =>
        p.kind === "valid" && p.conversion !== undefined
          ? [[`${p.conversion.clickId} ${p.conversion.txid}`, p.conversion] as const]
          : [],
      ),
    );
    expect(expected.size).toBe(TOTAL - 1_000 - 500 - 200);
    const prisma = createPrismaClient(databaseUrl);
    cleanups.push(() => prisma.$disconnect());
    const stored = await prisma.conversion.findMany();
    expect(stored).toHaveLength(expected.size);
    const mismatches = stored.filter((row) => {
      const sent = expected.get(`${row.clickId} ${row.txid}`);
      return (
        sent === undefined ||
        sent.payout !== row.payout ||
        sent.status !== row.status ||
        row.currency !== "USD"
      );
    });
    expect(mismatches).toEqual([]);
    // Committed with the conversion, once: a lost answer's retry was a repeat, not a second write.
    expect(
      await prisma.auditEvent.groupBy({
        by: ["action"],
        where: { targetType: "conversion" },
        _count: { _all: true },
      }),
    ).toEqual([{ action: "conversion.stored", _count: { _all: expected.size } }]);
    expect(await prisma.click.count()).toBe(CLICKS);
  }, 120_000);
});
