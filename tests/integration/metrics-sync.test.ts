import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PrismaMetricsRepository } from "../../src/db/metrics-repository.ts";
import { PrismaXAccountRepository } from "../../src/db/x-account-repository.ts";
import {
  type MetricsSource,
  MetricsSync,
  type MetricsSyncSettings,
} from "../../src/domain/metrics-sync.ts";
import type { PublishAccount } from "../../src/domain/publishing.ts";
import { SecretBox } from "../../src/domain/secrets.ts";
import { XMetricsSource } from "../../src/x/x-metrics-source.ts";
import { XPublisher } from "../../src/x/x-publisher.ts";
import { type FakeX, startFakeX } from "../support/fake-x/server.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { GUILD, SECRET_KEY, X_USER } from "../support/publishing-harness.ts";
import { ReportFixture } from "../support/report-fixture.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

const DAY = 24 * 60 * 60 * 1000;
const START = new Date("2026-11-01T08:00:00Z");
const LOOKUP = "GET /2/tweets" as const;

let db: TestDatabase;
let fakeX: FakeX;
let clock: FixedClock;
let account: PublishAccount;
let campaignId: number;
let waits: number[];

beforeEach(async () => {
  db = createTestDatabase();
  clock = new FixedClock(START);
  fakeX = await startFakeX({ accounts: [X_USER], now: () => clock.now().getTime() });
  const accounts = new PrismaXAccountRepository(db.prisma, new SecretBox({ current: SECRET_KEY }));
  const credentials = {
    kind: "oauth1" as const,
    appKey: "app-key",
    appSecret: "app-secret",
    accessToken: X_USER.accessToken,
    accessSecret: "access-secret",
  };
  const saved = await accounts.save(
    { guildId: GUILD, handle: X_USER.username, xUserId: X_USER.userId, credentials },
    { actor: "test", action: "x_account.connected" },
  );
  account = { id: saved.id, xUserId: saved.xUserId, credentials };
  campaignId = await new ReportFixture(db.prisma, GUILD).campaign(
    "Desk Gadgets",
    "gadgets",
    0.5,
    saved.id,
  );
  waits = [];
});

afterEach(async () => {
  await fakeX.close();
  await db.close();
});

/**
 * Setup, not the behaviour under test: `count` posts published on the fake X at `at` (through
 * the real client) and stored as published in Herald's database.
 */
async function publishedPosts(count: number, at: Date): Promise<{ id: number; xPostId: string }[]> {
  const publisher = new XPublisher({
    apiBase: new URL(fakeX.url),
    timeoutMs: 5_000,
    httpAgent: fakeX.agent,
    clock,
  });
  const fixture = new ReportFixture(db.prisma, GUILD);
  clock.set(at);
  const created: { id: number; xPostId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const text = `Post ${at.toISOString()} number ${i}`;
    const outcome = await publisher.publish({
      account,
      text,
      media: [],
      sensitive: false,
      paidPartnership: false,
    });
    if (outcome.kind !== "published") throw new Error(`setup publish failed: ${outcome.kind}`);
    const id = await fixture.post(campaignId, "published", at, { xPostId: outcome.xPostId });
    created.push({ id, xPostId: outcome.xPostId });
  }
  return created;
}

function makeSync(
  settings: Partial<MetricsSyncSettings> = {},
  source?: MetricsSource,
  onDeferred?: (event: { xAccountId: number; posts: number; reason: string }) => void,
) {
  return new MetricsSync({
    ...(onDeferred === undefined ? {} : { onDeferred }),
    store: new PrismaMetricsRepository(db.prisma),
    accounts: new PrismaXAccountRepository(db.prisma, new SecretBox({ current: SECRET_KEY })),
    source:
      source ??
      new XMetricsSource({
        apiBase: new URL(fakeX.url),
        timeoutMs: 5_000,
        httpAgent: fakeX.agent,
        clock,
      }),
    clock,
    wait: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
    // These tests are about batches, limits and failures, not about which posts are due:
    // every post is due at every run (tests/integration/x-spend.test.ts covers the cadence).
    settings: { cadence: { youngForMs: 30 * DAY, agesDays: [] }, ...settings },
  });
}

/** The real source, with the fake X answering the run's second lookup with a 429. */
function rateLimitedOnSecondLookup(resetInSeconds: number): MetricsSource {
  const real = new XMetricsSource({
    apiBase: new URL(fakeX.url),
    timeoutMs: 5_000,
    httpAgent: fakeX.agent,
    clock,
  });
  let calls = 0;
  return {
    lookup(lookupAccount, ids, nonPublic) {
      calls += 1;
      if (calls === 2) fakeX.fail(LOOKUP, { kind: "rate_limited", resetInSeconds });
      return real.lookup(lookupAccount, ids, nonPublic);
    },
    timeline: (timelineAccount, window, nonPublic) =>
      real.timeline(timelineAccount, window, nonPublic),
  };
}

function lookups() {
  return fakeX.requests.filter((request) => request.route === LOOKUP);
}

async function snapshotsPerPost(): Promise<Map<number, number>> {
  const groups = await db.prisma.postMetrics.groupBy({ by: ["postId"], _count: { _all: true } });
  return new Map(groups.map((g) => [g.postId, g._count._all]));
}

describe("metrics sync against the fake X", () => {
  it.each([1, 100, 101, 250])(
    "given %i published posts, asks X in ceil(n / 100) batches of at most 100 ids and stores one snapshot per post per run",
    async (n) => {
      const posts = await publishedPosts(n, new Date(START.getTime() - DAY));
      clock.set(START);
      const summary = await makeSync().run();

      const batches = Math.ceil(n / 100);
      expect(summary).toEqual({ requests: batches, recorded: n, deferred: 0, notDue: 0 });
      expect(lookups()).toHaveLength(batches);
      const asked = lookups().flatMap((request) => (request.query.ids ?? "").split(","));
      expect(lookups().every((r) => (r.query.ids ?? "").split(",").length <= 100)).toBe(true);
      expect(asked.sort()).toEqual(posts.map((p) => p.xPostId).sort());

      // A second run adds a second point to each post's series; the first stays as it was.
      clock.advance(60 * 60 * 1000);
      await makeSync().run();
      expect([...(await snapshotsPerPost()).values()]).toEqual(posts.map(() => 2));
    },
  );

  it("given one account whose keys cannot be opened, syncs the other accounts and leaves that one's posts for later", async () => {
    // Sealed under another HERALD_SECRET_KEY: the credentials of this account cannot be opened.
    const otherBox = new PrismaXAccountRepository(
      db.prisma,
      new SecretBox({ current: Buffer.alloc(32, 7) }),
    );
    const broken = await otherBox.save(
      { guildId: GUILD, handle: "other_desk", xUserId: "99", credentials: account.credentials },
      { actor: "test", action: "x_account.connected" },
    );
    const fixture = new ReportFixture(db.prisma, GUILD);
    const brokenCampaign = await fixture.campaign("Other Desk", "gadgets", 0.5, broken.id);
    // The unreadable account's post is the longest unsynced, so it comes first.
    await fixture.post(brokenCampaign, "published", new Date(START.getTime() - 2 * DAY), {
      xPostId: "1700000000000000001",
    });
    const readable = await publishedPosts(2, new Date(START.getTime() - DAY));
    clock.set(START);
    const deferred: { xAccountId: number; posts: number; reason: string }[] = [];
    const summary = await makeSync({}, undefined, (event) => deferred.push(event)).run();

    expect(summary.recorded).toBe(2);
    expect([...(await snapshotsPerPost()).keys()].sort()).toEqual(readable.map((p) => p.id).sort());
    expect(deferred).toEqual([
      { xAccountId: broken.id, posts: 1, reason: expect.stringContaining("HERALD_SECRET_KEY") },
    ]);
  });

  it("given posts older than 30 days, asks for their public metrics only and stores their clicks as unknown, not 0", async () => {
    const old = await publishedPosts(3, new Date(START.getTime() - 40 * DAY));
    const young = await publishedPosts(2, new Date(START.getTime() - DAY));
    for (const post of [...old, ...young]) {
      fakeX.setMetrics(post.xPostId, { impression_count: 700, like_count: 7, url_link_clicks: 21 });
    }
    clock.set(START);
    await makeSync({ windowDays: 90 }).run();

    const fieldsFor = (xPostId: string) =>
      lookups().find((r) => (r.query.ids ?? "").split(",").includes(xPostId))?.query[
        "tweet.fields"
      ];
    expect(fieldsFor(old[0]?.xPostId ?? "")).toBe("public_metrics");
    expect(fieldsFor(young[0]?.xPostId ?? "")).toContain("non_public_metrics");
    expect(lookups()).toHaveLength(2);

    const rows = await db.prisma.postMetrics.findMany({ orderBy: { postId: "asc" } });
    const byPost = new Map(rows.map((r) => [r.postId, r]));
    for (const post of old) {
      expect(byPost.get(post.id)).toMatchObject({
        impressions: 700,
        likes: 7,
        urlLinkClicks: null,
      });
    }
    for (const post of young) {
      expect(byPost.get(post.id)).toMatchObject({ impressions: 700, likes: 7, urlLinkClicks: 21 });
    }
  });

  it("given a 429 on the second of three batches that resets at once, waits, asks again and stores each post exactly once", async () => {
    const posts = await publishedPosts(250, new Date(START.getTime() - DAY));
    clock.set(START);
    const failSecond = rateLimitedOnSecondLookup(5);
    const summary = await makeSync({}, failSecond).run();

    expect(summary).toEqual({ requests: 4, recorded: 250, deferred: 0, notDue: 0 });
    expect(waits).toEqual([5_000]);
    const counts = await snapshotsPerPost();
    expect(posts.map((p) => counts.get(p.id))).toEqual(posts.map(() => 1));
  });

  it("given a 429 in the middle that resets in 15 minutes, leaves the rest for the next run, which takes the never-synced posts first", async () => {
    const posts = await publishedPosts(250, new Date(START.getTime() - DAY));
    clock.set(START);
    const failSecond = rateLimitedOnSecondLookup(900);
    const first = await makeSync({}, failSecond).run();
    expect(first).toEqual({ requests: 2, recorded: 100, deferred: 150, notDue: 0 });
    expect(waits).toEqual([]);
    const afterFirst = await snapshotsPerPost();
    expect(afterFirst.size).toBe(100);

    clock.advance(60 * 60 * 1000);
    const before = lookups().length;
    const second = await makeSync({ readBudget: 150 }).run();
    expect(second).toEqual({ requests: 2, recorded: 150, deferred: 100, notDue: 0 });
    const askedNow = lookups()
      .slice(before)
      .flatMap((r) => (r.query.ids ?? "").split(","));
    const synced = new Set(posts.filter((p) => afterFirst.has(p.id)).map((p) => p.xPostId));
    expect(askedNow.some((id) => synced.has(id))).toBe(false);
    const counts = await snapshotsPerPost();
    expect(posts.map((p) => counts.get(p.id))).toEqual(posts.map(() => 1));
  });

  it("given the fake X's counters rising over time, each run stores a new point with the higher numbers", async () => {
    const [post] = await publishedPosts(1, new Date(START.getTime() - DAY));
    if (post === undefined) throw new Error("no post");
    fakeX.growMetrics(post.xPostId, { impression_count: 120, url_link_clicks: 6, like_count: 3 });
    clock.set(START);
    await makeSync().run();
    clock.advance(2 * 60 * 60 * 1000);
    await makeSync().run();

    const series = await db.prisma.postMetrics.findMany({
      where: { postId: post.id },
      orderBy: { recordedAt: "asc" },
    });
    expect(series.map((s) => [s.impressions, s.urlLinkClicks, s.likes])).toEqual([
      [24 * 120, 24 * 6, 24 * 3],
      [26 * 120, 26 * 6, 26 * 3],
    ]);
  });
});
