// metrics-cost: what a month of metrics costs on X, and how accurate they stay. A simulated month
// (fake clock) of 10 campaigns posting 3 times a day on one account, after a month of the same as
// a warm-up (a team's steady state: every month, posts of the month before are still read), against the fake X with
// counters that grow like live posts' (most impressions in the first day, a long tail) and its
// bill kept as X keeps it (per resource and UTC day). Three runs of the real MetricsSync and
// XMetricsSource: today's hourly read of every post younger than 30 days, the new cadence
// through GET /2/tweets, and the new cadence through the own timeline (owns_app). Figures: billed
// reads and dollars, the ratio to the hourly sync, and for posts older than 7 days at the end the
// p95 relative error of the stored impressions and clicks against the fake X's true values.

import type { MetricsSnapshot } from "../src/domain/metrics.ts";
import { DEFAULT_CADENCE, type MetricsCadence } from "../src/domain/metrics-cadence.ts";
import { type MetricsStore, MetricsSync, type SyncTarget } from "../src/domain/metrics-sync.ts";
import type { PublishAccount } from "../src/domain/publishing.ts";
import type { XAccount } from "../src/domain/x-accounts.ts";
import type { SpendEntry } from "../src/domain/x-spend.ts";
import { XMetricsSource } from "../src/x/x-metrics-source.ts";
import { XPublisher } from "../src/x/x-publisher.ts";
import { type FakeX, startFakeX } from "../tests/support/fake-x/server.ts";
import type { PostMetrics } from "../tests/support/fake-x/store.ts";
import { FixedClock } from "../tests/support/fixed-clock.ts";
import { figuresOf, quantile } from "./figures.ts";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** The window of posts the hourly sync reads, and the month measured after as many days of warm-up. */
const DAYS = 30;
const SIMULATED_DAYS = 2 * DAYS;
const CAMPAIGNS = 10;
const SLOTS_UTC_HOURS = [9, 15, 21];
const START = Date.parse("2026-11-01T00:00:00Z");
const figure = figuresOf("metrics-cost");

const USER = { userId: "1790000000000000900", username: "bench_team", accessToken: "bench-token" };

/** Counters of a live post: 85 % of its impressions within hours, the rest over about a week. */
function liveCurve(scale: number) {
  return (ageMs: number): PostMetrics => {
    const share =
      0.85 * (1 - Math.exp(-ageMs / (5 * HOUR))) + 0.15 * (1 - Math.exp(-ageMs / (1.5 * DAY)));
    const impressions = Math.round(scale * share);
    return {
      impression_count: impressions,
      like_count: Math.round(impressions * 0.03),
      reply_count: Math.round(impressions * 0.002),
      retweet_count: Math.round(impressions * 0.004),
      quote_count: 0,
      bookmark_count: 0,
      url_link_clicks: Math.round(impressions * 0.015),
      user_profile_clicks: 0,
    };
  };
}

/** A small deterministic generator, so every run measures the same month. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Herald's side, in memory: the bench measures X's bill, not the database. */
class MemoryStore implements MetricsStore {
  readonly targets: SyncTarget[] = [];
  readonly latest = new Map<number, MetricsSnapshot>();

  async syncTargets(since: Date): Promise<SyncTarget[]> {
    return this.targets
      .filter((t) => t.publishedAt >= since)
      .map((t) => ({ ...t, lastSyncedAt: this.latest.get(t.postId)?.recordedAt ?? null }));
  }

  async record(snapshots: MetricsSnapshot[]): Promise<void> {
    for (const snapshot of snapshots) this.latest.set(snapshot.postId, snapshot);
  }
}

async function simulate(label: string, cadence: MetricsCadence, ownsApp: boolean) {
  const clock = new FixedClock(new Date(START));
  const fakeX: FakeX = await startFakeX({
    accounts: [{ ...USER, ownsApp }],
    now: () => clock.now().getTime(),
  });
  try {
    const connection = {
      apiBase: new URL(fakeX.url),
      timeoutMs: 10_000,
      httpAgent: fakeX.agent,
      clock,
    };
    const credentials = {
      kind: "oauth1" as const,
      appKey: "k",
      appSecret: "s",
      accessToken: USER.accessToken,
      accessSecret: "a",
    };
    const account: PublishAccount = { id: 1, xUserId: USER.userId, credentials };
    const xAccount: XAccount = {
      id: 1,
      guildId: "g",
      handle: USER.username,
      xUserId: USER.userId,
      status: "active",
      postsPer24h: null,
      postsPer15Min: null,
      ownsApp,
      createdAt: new Date(START),
      updatedAt: new Date(START),
    };
    const store = new MemoryStore();
    const ledger: SpendEntry[] = [];
    const measuredFrom = START + DAYS * DAY;
    const measuredFromDay = new Date(measuredFrom).toISOString().slice(0, 10);
    const sync = new MetricsSync({
      store,
      accounts: { findById: async () => xAccount, credentialsOf: async () => credentials },
      source: new XMetricsSource(connection),
      clock,
      wait: async (ms) => clock.advance(ms),
      spend: {
        mayRead: async () => true,
        record: async (entries) => {
          if (clock.now().getTime() >= measuredFrom) ledger.push(...entries);
        },
      },
      settings: { cadence, readBudget: 100_000 },
    });
    const publisher = new XPublisher(connection);
    const curves = new Map<string, (ageMs: number) => PostMetrics>();
    const next = random(14);
    let postId = 0;
    let requests = 0;
    for (let hour = 0; hour < SIMULATED_DAYS * 24; hour++) {
      const hourStart = START + hour * HOUR;
      if (SLOTS_UTC_HOURS.includes(new Date(hourStart).getUTCHours())) {
        for (let campaign = 0; campaign < CAMPAIGNS; campaign++) {
          // Campaigns share slot times a minute apart, as their schedules would put them.
          clock.set(new Date(hourStart + campaign * 60_000));
          const outcome = await publisher.publish({
            account,
            text: `Campaign ${campaign} post ${postId}`,
            media: [],
            sensitive: false,
            paidPartnership: false,
          });
          if (outcome.kind !== "published") throw new Error(`publish: ${outcome.kind}`);
          const curve = liveCurve(1_000 + Math.round(next() * 49_000));
          fakeX.curveMetrics(outcome.xPostId, curve);
          curves.set(outcome.xPostId, curve);
          postId += 1;
          store.targets.push({
            postId,
            xPostId: outcome.xPostId,
            xAccountId: 1,
            publishedAt: clock.now(),
            lastSyncedAt: null,
          });
        }
      }
      clock.set(new Date(hourStart + HOUR));
      requests += (await sync.run()).requests;
    }

    const reads = fakeX.bill.entries.filter(
      (e) => (e.kind === "post_read" || e.kind === "owned_read") && e.day >= measuredFromDay,
    );
    const dollars = reads.reduce((sum, e) => sum + e.usd, 0);
    const ledgerDollars = ledger.reduce(
      (sum, e) => sum + e.units * (e.kind === "owned_read" ? 0.001 : 0.005),
      0,
    );
    // Accuracy at the end of the month, for its posts older than 7 days: stored against true.
    const end = clock.now().getTime();
    const impressionErrors: number[] = [];
    const clickErrors: number[] = [];
    for (const target of store.targets) {
      const age = end - target.publishedAt.getTime();
      if (age <= 7 * DAY || age > DAYS * DAY) continue;
      const truth = (curves.get(target.xPostId) as (ageMs: number) => PostMetrics)(age);
      const stored = store.latest.get(target.postId);
      const relative = (seen: number | null | undefined, real: number) =>
        real === 0 ? 0 : Math.abs((seen ?? 0) - real) / real;
      impressionErrors.push(relative(stored?.impressions, truth.impression_count));
      clickErrors.push(relative(stored?.urlLinkClicks, truth.url_link_clicks));
    }
    figure(`${label}: posts published in the month`, postId / 2, "posts");
    figure(`${label}: requests to X in the month`, requests, "requests");
    figure(`${label}: billed reads in the month`, reads.length, "reads");
    figure(`${label}: billed dollars for reads in the month`, dollars, "USD");
    figure(`${label}: Herald's ledger for reads`, ledgerDollars, "USD", "= billed dollars");
    figure(
      `${label}: p95 impressions error, posts > 7 days`,
      quantile(impressionErrors, 0.95) * 100,
      "%",
      "< 2",
    );
    figure(
      `${label}: p95 clicks error, posts > 7 days`,
      quantile(clickErrors, 0.95) * 100,
      "%",
      "< 2",
    );
    return dollars;
  } finally {
    await fakeX.close();
  }
}

// Today's sync: every post younger than 30 days at every hourly run.
const hourly = await simulate(
  "hourly, GET /2/tweets",
  { youngForMs: DAYS * DAY, agesDays: [] },
  false,
);
const byAge = await simulate("by age, GET /2/tweets", DEFAULT_CADENCE, false);
const owned = await simulate("by age, owned timeline", DEFAULT_CADENCE, true);
figure("ratio hourly / by age, GET /2/tweets", hourly / byAge, "x", ">= 5");
figure("ratio hourly / by age, owned timeline", hourly / owned, "x", ">= 20");
