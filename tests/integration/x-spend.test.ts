import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { teamNotices } from "../../src/bot/team-notices.ts";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { PrismaMetricsRepository } from "../../src/db/metrics-repository.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { PrismaPublishQueue } from "../../src/db/publish-queue.ts";
import { PrismaSettingsRepository } from "../../src/db/settings-repository.ts";
import { PrismaXAccountRepository } from "../../src/db/x-account-repository.ts";
import { PrismaXSpendRepository } from "../../src/db/x-spend-repository.ts";
import { MetricsSync } from "../../src/domain/metrics-sync.ts";
import { PricedPublisher } from "../../src/domain/priced-publisher.ts";
import type { PublishAccount } from "../../src/domain/publishing.ts";
import { SecretBox } from "../../src/domain/secrets.ts";
import { DEFAULT_X_PRICES } from "../../src/domain/x-prices.ts";
import { type BudgetNotice, XSpend } from "../../src/domain/x-spend.ts";
import { PublishRunner } from "../../src/scheduler/runner.ts";
import { XMetricsSource } from "../../src/x/x-metrics-source.ts";
import { XPublisher } from "../../src/x/x-publisher.ts";
import { type FakeX, startFakeX } from "../support/fake-x/server.ts";
import type { PostMetrics } from "../support/fake-x/store.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import {
  FAST_SETTINGS,
  GUILD,
  nextEvent,
  SECRET_KEY,
  X_USER,
} from "../support/publishing-harness.ts";
import { ReportFixture } from "../support/report-fixture.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** The account that owns the developer app Herald's keys belong to. */
const OWNER = { userId: "1790000000000000300", username: "app_owner", accessToken: "token-owner" };

let db: TestDatabase;
let fakeX: FakeX;
let clock: FixedClock;
let accounts: PrismaXAccountRepository;
let ledger: PrismaXSpendRepository;
let notices: BudgetNotice[];
let spend: XSpend;

beforeEach(async () => {
  db = createTestDatabase();
  clock = new FixedClock(new Date("2026-11-01T00:00:00Z"));
  fakeX = await startFakeX({
    accounts: [X_USER, { ...OWNER, ownsApp: true }],
    now: () => clock.now().getTime(),
  });
  accounts = new PrismaXAccountRepository(db.prisma, new SecretBox({ current: SECRET_KEY }));
  ledger = new PrismaXSpendRepository(db.prisma);
  notices = [];
  spend = new XSpend({
    guildId: GUILD,
    ledger,
    notices: teamNotices,
    settings: new PrismaSettingsRepository(db.prisma),
    prices: DEFAULT_X_PRICES,
    clock,
    onNotice: (notice) => notices.push(notice),
  });
});

afterEach(async () => {
  await fakeX.close();
  await db.close();
});

async function connect(user: { userId: string; username: string; accessToken: string }) {
  const credentials = {
    kind: "oauth1" as const,
    appKey: "app-key",
    appSecret: "app-secret",
    accessToken: user.accessToken,
    accessSecret: "access-secret",
  };
  const saved = await accounts.save(
    { guildId: GUILD, handle: user.username, xUserId: user.userId, credentials },
    { actor: "test", action: "x_account.connected" },
  );
  const campaignId = await new ReportFixture(db.prisma, GUILD).campaign(
    `Campaign of ${user.username}`,
    "gadgets",
    0.5,
    saved.id,
  );
  const account: PublishAccount = { id: saved.id, xUserId: saved.xUserId, credentials };
  return { account, campaignId };
}

const connection = () => ({
  apiBase: new URL(fakeX.url),
  timeoutMs: 5_000,
  httpAgent: fakeX.agent,
  clock,
});

/** Counters of a live post: most impressions in its first hours, a long tail after. */
function liveCurve(scale: number) {
  return (ageMs: number): PostMetrics => {
    const share =
      0.9 * (1 - Math.exp(-ageMs / (6 * HOUR))) + 0.1 * (1 - Math.exp(-ageMs / (2 * DAY)));
    const impressions = Math.round(scale * share);
    return {
      impression_count: impressions,
      like_count: Math.round(impressions * 0.03),
      reply_count: 0,
      retweet_count: 0,
      quote_count: 0,
      bookmark_count: 0,
      url_link_clicks: Math.round(impressions * 0.02),
      user_profile_clicks: 0,
    };
  };
}

/** Setup: a post on the fake X at the clock's time, stored as published in Herald. */
async function published(account: PublishAccount, campaignId: number, text: string) {
  const outcome = await new XPublisher(connection()).publish({
    account,
    text,
    media: [],
    sensitive: false,
    paidPartnership: false,
  });
  if (outcome.kind !== "published") throw new Error(`setup publish failed: ${outcome.kind}`);
  fakeX.curveMetrics(outcome.xPostId, liveCurve(10_000));
  await new ReportFixture(db.prisma, GUILD).post(campaignId, "published", clock.now(), {
    xPostId: outcome.xPostId,
  });
  return outcome.xPostId;
}

function makeSync() {
  return new MetricsSync({
    store: new PrismaMetricsRepository(db.prisma),
    accounts,
    source: new XMetricsSource(connection()),
    clock,
    wait: async (ms) => clock.advance(ms),
    spend,
  });
}

const billedReads = () =>
  fakeX.bill.entries.filter((e) => e.kind === "post_read" || e.kind === "owned_read");

async function ledgerUsd(kinds: readonly string[]): Promise<number> {
  const rows = await ledger.rows({ guildId: GUILD, fromDay: "2026-01-01", toDay: "2027-12-31" });
  return rows.filter((row) => kinds.includes(row.kind)).reduce((sum, row) => sum + row.usd, 0);
}

describe("X spend against the fake X's bill", () => {
  it("given hourly syncs over 31 days with the default ages, each post is billed on at most 6 distinct UTC days and Herald's ledger matches the bill", async () => {
    const { account, campaignId } = await connect(X_USER);
    const xPostIds: string[] = [];
    // Published at the start, the middle and the end of UTC days, so first days cross midnight.
    for (const at of ["2026-11-01T00:10:00Z", "2026-11-01T11:30:00Z", "2026-11-01T23:50:00Z"]) {
      clock.set(at);
      xPostIds.push(await published(account, campaignId, `Post at ${at}`));
    }
    const sync = makeSync();
    clock.set("2026-11-01T00:00:00Z");
    for (let hour = 0; hour < 31 * 24; hour++) {
      clock.advance(HOUR);
      await sync.run();
    }

    for (const xPostId of xPostIds) {
      const days = new Set(
        billedReads()
          .filter((e) => e.resourceId === xPostId)
          .map((e) => e.day),
      );
      expect(days.size).toBeGreaterThanOrEqual(5);
      expect(days.size).toBeLessThanOrEqual(6);
    }
    const billed = billedReads().reduce((sum, e) => sum + e.usd, 0);
    expect(await ledgerUsd(["post_read", "owned_read"])).toBeCloseTo(billed, 9);
    // Against today's hourly read of everything: 30 billed days per post.
    expect(billed).toBeLessThanOrEqual(xPostIds.length * 6 * 0.005 + 1e-9);
  });

  it("given an account with owns_app, its reads go through its own timeline at $0.001 a post; an account without it is never sent to the timeline endpoint", async () => {
    const owner = await connect(OWNER);
    await accounts.setOwnsApp(owner.account.id, true, {
      actor: "test",
      action: "x_account.owns_app_set",
    });
    const other = await connect(X_USER);
    const ownerPosts = [
      await published(owner.account, owner.campaignId, "Owner post one"),
      await published(owner.account, owner.campaignId, "Owner post two"),
      await published(owner.account, owner.campaignId, "Owner post three"),
    ];
    const otherPost = await published(other.account, other.campaignId, "Other post");
    clock.advance(HOUR);

    const summary = await makeSync().run();

    expect(summary).toMatchObject({ recorded: 4, deferred: 0 });
    const timeline = fakeX.requests.filter((r) => r.route === "GET /2/users/:id/tweets");
    expect(timeline.map((r) => r.path)).toEqual([`/2/users/${OWNER.userId}/tweets`]);
    expect(timeline[0]?.query).toMatchObject({
      start_time: expect.any(String),
      end_time: expect.any(String),
    });
    expect(
      fakeX.requests.filter((r) => r.route === "GET /2/tweets").map((r) => r.query.ids),
    ).toEqual([otherPost]);
    const ownerBill = billedReads().filter((e) => e.userId === OWNER.userId);
    expect(ownerBill.map((e) => [e.resourceId, e.kind, e.usd]).sort()).toEqual(
      ownerPosts.map((id) => [id, "owned_read", 0.001]).sort(),
    );
    expect(await ledgerUsd(["owned_read"])).toBeCloseTo(0.003, 9);
    expect(await ledgerUsd(["post_read"])).toBeCloseTo(0.005, 9);
  });

  it("given a $1 budget, the 80 % notice comes once, reads stop at 100 %, publishing goes on (and holds when x_budget_stops_posting is on), and the next month reads again", async () => {
    const settings = new PrismaSettingsRepository(db.prisma);
    await settings.update(
      GUILD,
      { xMonthlyBudget: 1 },
      { actor: "test", action: "settings.updated" },
    );
    const { campaignId } = await connect(X_USER);
    clock.set("2026-11-28T10:00:00Z");
    const posts = new PrismaPostRepository(db.prisma);
    const runner = new PublishRunner({
      posts,
      queue: new PrismaPublishQueue(db.prisma),
      campaigns: new PrismaCampaignRepository(db.prisma),
      accounts,
      publisher: new PricedPublisher(new XPublisher(connection()), spend, accounts, (error) => {
        throw error;
      }),
      postingGate: spend,
      clock,
      logger: pino({ level: "silent" }),
      settings: FAST_SETTINGS,
    });
    const approved = (text: string) =>
      posts.create(
        {
          campaignId,
          text: `${text} https://shop.example.com/lamp`,
          media: [],
          scheduledAt: clock.now(),
          status: "approved",
          createdBy: "test",
          link: null,
        },
        { actor: "test", action: "post.queued" },
      );
    const publishOne = async (text: string) => {
      const done = nextEvent(runner, "post.published");
      await approved(text);
      runner.wake();
      return (await done).xPostId;
    };
    await runner.start();
    try {
      // Posts with a URL cost $0.20: four make $0.80, the warning; the fifth $1.00.
      for (const n of [1, 2, 3, 4]) await publishOne(`Lamp deal ${n}`);
      expect(notices.map((n) => n.level)).toEqual(["warning"]);
      await publishOne("Lamp deal 5");
      expect(notices.map((n) => n.level)).toEqual(["warning", "reached"]);
      // Each written with the spend that crossed it, for the approval channel.
      const told = await db.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
      expect(told.map((row) => [row.kind, row.channelId])).toEqual([
        ["notice", "approval"],
        ["notice", "approval"],
      ]);
      expect(told.map((row) => JSON.parse(row.payload).content)).toEqual([
        expect.stringContaining("Herald has spent $0.800 of this month's X budget of $1.00 (80 %"),
        expect.stringContaining("Herald has spent $1.00 of this month's X budget of $1.00."),
      ]);

      // Publishing goes on past the budget; reads do not.
      await publishOne("Lamp deal 6");
      const lookupsBefore = fakeX.requestCount("GET /2/tweets");
      const stopped = await makeSync().run();
      expect(stopped).toMatchObject({ recorded: 0, deferred: 6 });
      expect(fakeX.requestCount("GET /2/tweets")).toBe(lookupsBefore);
      expect(notices).toHaveLength(2);

      // With x_budget_stops_posting on, the next post holds with a notice and stays approved.
      await settings.update(
        GUILD,
        { xBudgetStopsPosting: true },
        { actor: "test", action: "settings.updated" },
      );
      spend.forget();
      const held = nextEvent(runner, "account.held");
      const heldPost = await approved("Lamp deal 7");
      runner.wake();
      expect(await held).toMatchObject({
        reason: "x_budget",
        detail: expect.stringContaining("x_budget_stops_posting"),
      });
      expect((await posts.findById(heldPost.id))?.status).toBe("approved");

      // A new month: reads start again. The held post, days past the grace window, is missed
      // (the rule that ends every hold); a new post goes out.
      clock.set("2026-12-01T00:05:00Z");
      spend.forget();
      const resumed = await makeSync().run();
      expect(resumed.recorded).toBe(6);
      const missed = nextEvent(runner, "posts.missed");
      runner.wake();
      expect((await missed).posts.map((post) => post.id)).toEqual([heldPost.id]);
      const out = nextEvent(runner, "post.published");
      const fresh = await approved("Lamp deal 8");
      runner.wake();
      expect((await out).post.id).toBe(fresh.id);
      expect(notices).toHaveLength(2);
      expect(await ledgerUsd(["post_create", "post_create_url"])).toBeCloseTo(
        fakeX.bill.total((e) => e.kind === "create_with_url"),
        9,
      );
    } finally {
      await runner.stop(1_000);
    }
  });
});
