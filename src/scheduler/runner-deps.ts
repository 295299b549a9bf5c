import type { BackoffPolicy } from "../domain/backoff.ts";
import type { OutboxWriter } from "../domain/outbox.ts";
import type {
  AccountHold,
  CampaignRepository,
  Clock,
  PostRepository,
  PublishQueue,
  RunnerNotices,
  XAccountRepository,
} from "../domain/ports.ts";
import type { Post } from "../domain/posts.ts";
import type { PostingBudget } from "../domain/publish-budget.ts";
import type { Publisher } from "../domain/publishing.ts";
import type { XPrices } from "../domain/x-prices.ts";
import type { Logger } from "../logger.ts";

export interface RunnerSettings {
  /** How long a claim lasts without renewal; a crashed attempt is recovered after it. */
  leaseMs: number;
  /** Publish attempts before a post that X keeps failing on becomes `failed`. */
  maxAttempts: number;
  /**
   * After downtime, posts late by more than this become `missed` instead of going out; the
   * default when the guild set no grace window of its own (RunnerDeps.guildGraceMs).
   */
  graceMs: number;
  /** Posts in flight to X at once. */
  concurrency: number;
  /** The budget of accounts that have none of their own (/x budget). */
  budget: PostingBudget;
  backoff: BackoffPolicy;
  /** X's prices, for each post's recorded cost; X's published prices when not given. */
  prices?: XPrices | undefined;
  /**
   * With SQLite one instance owns the database, so every lease left by a previous run is stale
   * and is recovered at start. With a shared database (PostgreSQL, several instances) only
   * expired leases are, and an idle runner also wakes when the earliest lease ends, so posts of an
   * instance that died are finished by another.
   */
  reclaimAllLeasesAtStart: boolean;
}

export interface RunnerEvents {
  "post.published": [{ post: Post; xPostId: string; recovered: boolean }];
  "post.failed": [{ post: Post; reason: string }];
  "post.missed": [{ post: Post }];
  /**
   * The posts of one campaign that a hold (downtime, a pause, an unusable account, a budget or
   * X's rate limit) kept back past the grace window and that were marked missed together.
   */
  "posts.missed": [{ campaignId: number; posts: Post[] }];
  "post.retrying": [{ post: Post; reason: string; nextAttemptAt: Date }];
  "account.invalid": [{ xAccountId: number; reason: string }];
  /**
   * An account's posts wait until `until`: its own budget is used up, X's rate limit said so, or
   * the monthly X budget stops posting. Once per hold: a hold extended while it lasts is not told
   * again. Its notice is in the outbox by then.
   */
  "account.held": [{ xAccountId: number } & AccountHold];
  /** Every time the runner has nothing in flight and nothing due, and armed its timer. */
  idle: [{ nextWakeAt: Date | null }];
}

/** How the runner's parts report what happened (the runner's own emit). */
export type RunnerEmit = <K extends keyof RunnerEvents>(event: K, ...args: RunnerEvents[K]) => void;

export interface RunnerDeps {
  /** The runner's name on its leases; a random UUID when not given. */
  id?: string | undefined;
  posts: PostRepository;
  queue: PublishQueue;
  campaigns: CampaignRepository;
  accounts: XAccountRepository;
  publisher: Publisher;
  clock: Clock;
  logger: Logger;
  settings: RunnerSettings;
  /**
   * The grace window the guild set (/settings late_grace_minutes), in ms, or null for
   * `settings.graceMs`. Read each time the window is used, not once at start, so a change made
   * through any instance applies on every instance.
   */
  guildGraceMs?: (() => Promise<number | null>) | undefined;
  /** Asked before posting: a used-up X budget may hold every account (x-spend.ts). */
  postingGate?: PostingGate | undefined;
  /** Messages written with the moves they report; none when not given (benchmarks). */
  notices?: RunnerNotices;
  /** Where the notices of holds go, which come with no move of their own. */
  outbox?: OutboxWriter | undefined;
  /**
   * The link X receives for a post Herald tracks itself (HERALD_PUBLIC_URL/r/<code>), or null to
   * send the stored affiliate URL. The same post must always get the same link (timeline match).
   */
  trackedLink?: ((post: Post) => Promise<string | null>) | undefined;
}

export interface PostingGate {
  postingHold(now: Date): Promise<{ until: Date; reason: string } | null>;
}

/** Posts handled in one query (due, taken over). */
export const BATCH = 200;
