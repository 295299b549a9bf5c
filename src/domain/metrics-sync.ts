/**
 * The metrics sync (design.md section 6): reads the counters of recently published posts from X
 * and stores one snapshot per post read. Posts are read by age (metrics-cadence.ts), 100 ids per
 * GET /2/tweets, or, for an account that owns the developer app, through its own timeline in
 * windows around the posts due, which X bills at a fifth of the price. A run reads at most
 * `readBudget` posts (X bills and caps post reads), least recently synced first, so a backlog is
 * worked off over several runs instead of exhausting the account's allowance in one. What X bills
 * is written to the spend ledger, and a used-up monthly budget stops the reads.
 */
import { chunks } from "./chunks.ts";
import { isDomainError } from "./errors.ts";
import type { PostMetricsCounts } from "./metrics.ts";
import { type MetricsSnapshot, snapshotOf } from "./metrics.ts";
import { DEFAULT_CADENCE, isReadDue, type MetricsCadence } from "./metrics-cadence.ts";
import type { Clock, XAccountRepository } from "./ports.ts";
import type { PublishAccount, PublishOutcome } from "./publishing.ts";
import { utcDay } from "./x-prices.ts";
import type { SpendEntry } from "./x-spend.ts";

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
  /**
   * Counters of every post on the account's own timeline created within `window` (start
   * inclusive, end exclusive), all pages: GET /2/users/:id/tweets with start_time and end_time.
   */
  timeline(
    account: PublishAccount,
    window: { start: Date; end: Date },
    nonPublic: boolean,
  ): Promise<MetricsLookup>;
}

/** The ledger and budget as the sync sees them (x-spend.ts). */
export interface ReadSpend {
  /** False once this month's X budget is used up. */
  mayRead(): Promise<boolean>;
  record(entries: readonly SpendEntry[]): Promise<void>;
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
  /** Which posts are due at a run. */
  cadence: MetricsCadence;
}

export const DEFAULT_SYNC_SETTINGS: MetricsSyncSettings = {
  batchSize: 100,
  readBudget: 2_000,
  windowDays: 30,
  maxRateLimitWaitMs: 60_000,
  maxAttempts: 3,
  cadence: DEFAULT_CADENCE,
};

/**
 * Herald's publishedAt is set when X answers, a little after X's created_at; a timeline window
 * starts this much earlier so the first post due is inside it.
 */
const TIMELINE_LEAD_MS = 2 * 60_000;

/** X keeps non-public metrics for 30 days; an hour's margin for clocks that disagree. */
const NON_PUBLIC_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000 - 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SyncSummary {
  requests: number;
  recorded: number;
  /** Posts left for a later run: over budget, rate limited, failing or an unusable account. */
  deferred: number;
  /** Posts not due at this run (metrics-cadence.ts). */
  notDue: number;
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
  /** Where billed reads are written; none: nothing is recorded and no budget applies. */
  spend?: ReadSpend | undefined;
  settings?: Partial<MetricsSyncSettings>;
}

/** Never-synced posts first, then the longest unsynced; newest published breaks ties. */
function bySyncAge(a: SyncTarget, b: SyncTarget): number {
  const aSynced = a.lastSyncedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const bSynced = b.lastSyncedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (aSynced !== bSynced) return aSynced < bSynced ? -1 : 1;
  return b.publishedAt.getTime() - a.publishedAt.getTime();
}

/** One request's worth of posts: ids through GET /2/tweets, or a window of the own timeline. */
type Read =
  | { via: "lookup"; posts: SyncTarget[]; nonPublic: boolean }
  | {
      via: "timeline";
      posts: SyncTarget[];
      nonPublic: boolean;
      window: { start: Date; end: Date };
    };

function byAccount(targets: readonly SyncTarget[]): Map<number, SyncTarget[]> {
  const groups = new Map<number, SyncTarget[]>();
  for (const target of targets) {
    const group = groups.get(target.xAccountId);
    if (group === undefined) groups.set(target.xAccountId, [target]);
    else group.push(target);
  }
  return groups;
}

export class MetricsSync {
  private readonly settings: MetricsSyncSettings;
  /**
   * Posts read (so billed) today, by X id: X bills a post at most once per UTC day, and a
   * timeline also returns posts Herald did not read on purpose. Posts read on an earlier run are
   * known from their last snapshot, so a restart forgets nothing Herald knows.
   */
  private billedToday = { day: "", ids: new Set<string>() };

  constructor(private readonly deps: MetricsSyncDeps) {
    this.settings = { ...DEFAULT_SYNC_SETTINGS, ...deps.settings };
  }

  async run(): Promise<SyncSummary> {
    const now = this.deps.clock.now();
    const all = await this.deps.store.syncTargets(
      new Date(now.getTime() - this.settings.windowDays * DAY_MS),
    );
    const due = all.filter((target) => isReadDue(target, now, this.settings.cadence));
    const chosen = [...due].sort(bySyncAge).slice(0, this.settings.readBudget);
    const summary: SyncSummary = {
      requests: 0,
      recorded: 0,
      deferred: due.length - chosen.length,
      notDue: all.length - due.length,
    };
    const known = byAccount(all);
    for (const [xAccountId, targets] of byAccount(chosen)) {
      await this.syncAccount(xAccountId, targets, known.get(xAccountId) ?? targets, now, summary);
    }
    return summary;
  }

  private async syncAccount(
    xAccountId: number,
    targets: SyncTarget[],
    known: SyncTarget[],
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
    const reads = account.ownsApp
      ? this.timelineReads(targets, known, young)
      : this.lookupReads(targets, young);
    const knownByXId = new Map(known.map((t) => [t.xPostId, t]));
    for (const [index, read] of reads.entries()) {
      const rest = () => reads.slice(index).reduce((n, { posts }) => n + posts.length, 0);
      if (this.deps.spend !== undefined && !(await this.deps.spend.mayRead())) {
        defer(rest(), "this month's X budget is used up; reads start again next month");
        return;
      }
      const outcome = await this.attempt(publishAccount, read, summary);
      if (outcome.kind === "ok") {
        await this.store(read, outcome.metrics, knownByXId, summary);
        continue;
      }
      if (outcome.kind === "rejected") {
        defer(read.posts.length, outcome.reason);
        continue;
      }
      // Rate limited past the wait, failing or refused credentials: the rest waits for next run.
      defer(rest(), `${outcome.kind}: ${outcome.reason}`);
      return;
    }
  }

  private lookupReads(targets: SyncTarget[], young: (t: SyncTarget) => boolean): Read[] {
    const batchesOf = (posts: SyncTarget[], nonPublic: boolean): Read[] =>
      chunks(posts, this.settings.batchSize).map((slice) => ({
        via: "lookup",
        posts: slice,
        nonPublic,
      }));
    return [
      ...batchesOf(targets.filter(young), true),
      ...batchesOf(
        targets.filter((t) => !young(t)),
        false,
      ),
    ];
  }

  /**
   * Windows of the own timeline around runs of due posts, in publishing order: X bills every post
   * a timeline returns, so a window ends where a post that is not due would fall inside it.
   */
  private timelineReads(
    targets: SyncTarget[],
    known: SyncTarget[],
    young: (t: SyncTarget) => boolean,
  ): Read[] {
    const due = new Set(targets.map((t) => t.postId));
    const ordered = [...known].sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime());
    const runs: SyncTarget[][] = [];
    let run: SyncTarget[] = [];
    for (const target of ordered) {
      const fits = run.length > 0 && young(run[0] as SyncTarget) === young(target);
      if (!due.has(target.postId) || !fits) {
        if (run.length > 0) runs.push(run);
        run = [];
      }
      if (due.has(target.postId)) run.push(target);
    }
    if (run.length > 0) runs.push(run);
    return runs.map((posts) => {
      const first = posts[0] as SyncTarget;
      const last = posts.at(-1) as SyncTarget;
      return {
        via: "timeline",
        posts,
        nonPublic: young(first),
        window: {
          start: new Date(first.publishedAt.getTime() - TIMELINE_LEAD_MS),
          end: new Date(last.publishedAt.getTime() + 1),
        },
      };
    });
  }

  /** Stores a snapshot of every post read that Herald knows, and what X billed for the read. */
  private async store(
    read: Read,
    metrics: Map<string, PostMetricsCounts>,
    known: Map<string, SyncTarget>,
    summary: SyncSummary,
  ): Promise<void> {
    const at = this.deps.clock.now();
    const today = utcDay(at);
    if (this.billedToday.day !== today) this.billedToday = { day: today, ids: new Set() };
    let billed = 0;
    const snapshots: MetricsSnapshot[] = [];
    for (const [xPostId, counts] of metrics) {
      const target = known.get(xPostId);
      const readToday =
        this.billedToday.ids.has(xPostId) ||
        (target?.lastSyncedAt != null && utcDay(target.lastSyncedAt) === today);
      if (!readToday) billed += 1;
      this.billedToday.ids.add(xPostId);
      if (target !== undefined) snapshots.push(snapshotOf(target.postId, counts, at));
    }
    await this.deps.store.record(snapshots);
    summary.recorded += snapshots.length;
    const xAccountId = read.posts[0]?.xAccountId;
    if (this.deps.spend !== undefined && xAccountId !== undefined) {
      await this.deps.spend.record([
        { xAccountId, kind: read.via === "timeline" ? "owned_read" : "post_read", units: billed },
      ]);
    }
  }

  /** One read, waiting out a short rate limit and retrying a 5xx or timeout a few times. */
  private async attempt(
    account: PublishAccount,
    read: Read,
    summary: SyncSummary,
  ): Promise<MetricsLookup> {
    let attempt = 0;
    for (;;) {
      attempt += 1;
      summary.requests += 1;
      const outcome =
        read.via === "lookup"
          ? await this.deps.source.lookup(
              account,
              read.posts.map((t) => t.xPostId),
              read.nonPublic,
            )
          : await this.deps.source.timeline(account, read.window, read.nonPublic);
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
