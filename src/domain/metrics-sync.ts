/**
 * The metrics sync (design.md section 6): reads the counters of recently published posts from X,
 * 100 ids per request, and stores one snapshot per post per run. A run reads at most
 * `readBudget` posts (X bills and caps post reads), least recently synced first, so a backlog is
 * worked off over several runs instead of exhausting the account's allowance in one.
 */
import { chunks } from "./chunks.ts";
import { isDomainError } from "./errors.ts";
import type { PostMetricsCounts } from "./metrics.ts";
import { type MetricsSnapshot, snapshotOf } from "./metrics.ts";
import type { Clock, XAccountRepository } from "./ports.ts";
import type { PublishAccount, PublishOutcome } from "./publishing.ts";

/** A published post whose metrics the sync reads. */
export interface SyncTarget {
  postId: number;
  xPostId: string;
  xAccountId: number;
  publishedAt: Date;
  /** When its latest snapshot was taken; null when it has none. */
  lastSyncedAt: Date | null;
}

export type MetricsLookup =
  | { kind: "ok"; metrics: Map<string, PostMetricsCounts> }
  | Exclude<PublishOutcome, { kind: "published" | "duplicate" }>;

/** The X side of the sync, implemented in src/x with twitter-api-v2. */
export interface MetricsSource {
  /**
   * Counters of the account's posts `xPostIds` (at most 100). `nonPublic` asks for the owner-only
   * impressions and link clicks, which X has only for posts younger than 30 days. Posts X no
   * longer has are left out of the map.
   */
  lookup(account: PublishAccount, xPostIds: string[], nonPublic: boolean): Promise<MetricsLookup>;
}

export interface MetricsStore {
  /** Posts published at or after `since` with an X id, whose account is active. */
  syncTargets(since: Date): Promise<SyncTarget[]>;
  /** Appends snapshots; never changes an earlier one. */
  record(snapshots: MetricsSnapshot[]): Promise<void>;
}

export interface MetricsSyncSettings {
  /** X's maximum number of ids per GET /2/tweets. */
  batchSize: number;
  /** Most posts read in one run. */
  readBudget: number;
  /** Posts published within this many days are synced. */
  windowDays: number;
  /** A rate limit resetting sooner than this is waited for; a later one ends the account's run. */
  maxRateLimitWaitMs: number;
  /** Attempts per batch on a 5xx or timeout before it is left for the next run. */
  maxAttempts: number;
}

export const DEFAULT_SYNC_SETTINGS: MetricsSyncSettings = {
  batchSize: 100,
  readBudget: 2_000,
  windowDays: 30,
  maxRateLimitWaitMs: 60_000,
  maxAttempts: 3,
};

/** X keeps non-public metrics for 30 days; an hour's margin for clocks that disagree. */
const NON_PUBLIC_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000 - 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SyncSummary {
  requests: number;
  recorded: number;
  /** Posts left for a later run: over budget, rate limited, failing or an unusable account. */
  deferred: number;
}

export interface MetricsSyncDeps {
  store: MetricsStore;
  accounts: Pick<XAccountRepository, "findById" | "credentialsOf">;
  source: MetricsSource;
  clock: Clock;
  /** Waits for a rate-limit reset or a retry; a timer in production. */
  wait(ms: number): Promise<void>;
  /** Tells why posts were left for later (the caller logs it). */
  onDeferred?(event: { xAccountId: number; posts: number; reason: string }): void;
  settings?: Partial<MetricsSyncSettings>;
}

/** Never-synced posts first, then the longest unsynced; newest published breaks ties. */
function bySyncAge(a: SyncTarget, b: SyncTarget): number {
  const aSynced = a.lastSyncedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const bSynced = b.lastSyncedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (aSynced !== bSynced) return aSynced < bSynced ? -1 : 1;
  return b.publishedAt.getTime() - a.publishedAt.getTime();
}

export class MetricsSync {
  private readonly settings: MetricsSyncSettings;

  constructor(private readonly deps: MetricsSyncDeps) {
    this.settings = { ...DEFAULT_SYNC_SETTINGS, ...deps.settings };
  }

  async run(): Promise<SyncSummary> {
    const now = this.deps.clock.now();
    const all = await this.deps.store.syncTargets(
      new Date(now.getTime() - this.settings.windowDays * DAY_MS),
    );
    const chosen = [...all].sort(bySyncAge).slice(0, this.settings.readBudget);
    const summary: SyncSummary = { requests: 0, recorded: 0, deferred: all.length - chosen.length };
    const byAccount = new Map<number, SyncTarget[]>();
    for (const target of chosen) {
      const targets = byAccount.get(target.xAccountId);
      if (targets === undefined) byAccount.set(target.xAccountId, [target]);
      else targets.push(target);
    }
    for (const [xAccountId, targets] of byAccount) {
      await this.syncAccount(xAccountId, targets, now, summary);
    }
    return summary;
  }

  private async syncAccount(
    xAccountId: number,
    targets: SyncTarget[],
    now: Date,
    summary: SyncSummary,
  ): Promise<void> {
    const defer = (posts: number, reason: string) => {
      summary.deferred += posts;
      this.deps.onDeferred?.({ xAccountId, posts, reason });
    };
    const account = await this.deps.accounts.findById(xAccountId);
    if (account === null || account.status !== "active") {
      defer(targets.length, "the X account is invalid, disconnected or gone");
      return;
    }
    let credentials: PublishAccount["credentials"];
    try {
      credentials = await this.deps.accounts.credentialsOf(account.id);
    } catch (error) {
      // One account whose keys cannot be opened must not stop the others' sync.
      if (!isDomainError(error)) throw error;
      defer(targets.length, error.message);
      return;
    }
    const publishAccount: PublishAccount = {
      id: account.id,
      xUserId: account.xUserId,
      credentials,
    };
    const young = (t: SyncTarget) =>
      now.getTime() - t.publishedAt.getTime() < NON_PUBLIC_MAX_AGE_MS;
    const batchesOf = (posts: SyncTarget[], nonPublic: boolean) =>
      chunks(posts, this.settings.batchSize).map((slice) => ({ posts: slice, nonPublic }));
    const batches = [
      ...batchesOf(targets.filter(young), true),
      ...batchesOf(
        targets.filter((t) => !young(t)),
        false,
      ),
    ];
    for (const [index, { posts: batch, nonPublic }] of batches.entries()) {
      const outcome = await this.lookupBatch(publishAccount, batch, nonPublic, summary);
      if (outcome.kind === "ok") {
        const at = this.deps.clock.now();
        const snapshots = batch.flatMap((target) => {
          const counts = outcome.metrics.get(target.xPostId);
          return counts === undefined ? [] : [snapshotOf(target.postId, counts, at)];
        });
        await this.deps.store.record(snapshots);
        summary.recorded += snapshots.length;
        continue;
      }
      if (outcome.kind === "rejected") {
        defer(batch.length, outcome.reason);
        continue;
      }
      // Rate limited past the wait, failing or refused credentials: the rest waits for next run.
      const rest = batches.slice(index).reduce((n, { posts }) => n + posts.length, 0);
      defer(rest, `${outcome.kind}: ${outcome.reason}`);
      return;
    }
  }

  /** One batch, waiting out a short rate limit and retrying a 5xx or timeout a few times. */
  private async lookupBatch(
    account: PublishAccount,
    batch: SyncTarget[],
    nonPublic: boolean,
    summary: SyncSummary,
  ): Promise<MetricsLookup> {
    const ids = batch.map((t) => t.xPostId);
    let attempt = 0;
    for (;;) {
      attempt += 1;
      summary.requests += 1;
      const outcome = await this.deps.source.lookup(account, ids, nonPublic);
      if (outcome.kind === "rate_limited") {
        const waitMs = outcome.resetAt.getTime() - this.deps.clock.now().getTime();
        if (waitMs > this.settings.maxRateLimitWaitMs || attempt >= this.settings.maxAttempts) {
          return outcome;
        }
        await this.deps.wait(Math.max(0, waitMs));
        continue;
      }
      if (outcome.kind === "uncertain" && attempt < this.settings.maxAttempts) {
        await this.deps.wait(1_000 * 2 ** (attempt - 1));
        continue;
      }
      return outcome;
    }
  }
}
