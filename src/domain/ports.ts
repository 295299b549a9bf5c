import type { AuditNote } from "./audit.ts";
import type { Campaign, CampaignStatus, NewCampaign } from "./campaigns.ts";
import type { OutboxDraft } from "./outbox.ts";
import type { PostStatus } from "./post-lifecycle.ts";
import type { NewPost, Post, PostChanges, PostCountFilter, PostFilter } from "./posts.ts";
import type { XCredentials } from "./secrets.ts";
import type { NewXAccount, XAccount, XAccountStatus } from "./x-accounts.ts";

/** The one source of "now" for the domain, so tests can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** One page of a list: skip `offset` entries, then take at most `limit`. */
export interface PageWindow {
  offset: number;
  limit: number;
}

export interface CampaignRepository {
  /** Refuses with `campaign_name_taken` when the name or its slug is used in the guild. */
  create(campaign: NewCampaign, audit: AuditNote): Promise<Campaign>;
  findByName(guildId: string, name: string): Promise<Campaign | null>;
  findById(id: number): Promise<Campaign | null>;
  /** By name, then id: a stable order, so consecutive pages neither overlap nor skip. */
  list(guildId: string, window?: PageWindow): Promise<Campaign[]>;
  count(guildId: string): Promise<number>;
  /** Moves `from` → `to` only if the campaign is still in `from`; refuses with `campaign_state`. */
  changeStatus(
    id: number,
    from: CampaignStatus,
    to: CampaignStatus,
    audit: AuditNote,
  ): Promise<Campaign>;
}

/** One post's transition, as PostRepository.transition takes it. */
export interface PostMove {
  id: number;
  from: PostStatus;
  changes: PostChanges & { status: PostStatus };
  audit: AuditNote;
  /**
   * Messages reporting the move, written in its transaction (and only if it applies), rendered
   * from the post as recorded: the rows the transaction reads anyway, so no extra query.
   */
  notices?: (recorded: RecordedPost) => OutboxDraft[];
}

/** A post as a move recorded it, with what its messages name. */
export interface RecordedPost {
  post: Post;
  guildId: string;
  campaignName: string;
  /** The campaign's X account's handle; null when it has none. */
  accountHandle: string | null;
}

/** The messages the runner writes with its moves, rendered outside the domain. */
export interface RunnerNotices {
  published(recorded: RecordedPost, xPostId: string): OutboxDraft[];
}

export interface PostRepository {
  /** Creates the post and, when given, its affiliate link (built from the new post's id). */
  create(post: NewPost, audit: AuditNote): Promise<Post>;
  findById(id: number): Promise<Post | null>;
  /**
   * Newest scheduled first, then highest id: a stable order, so consecutive pages (`offset`)
   * neither overlap nor skip.
   */
  list(filter: PostFilter): Promise<Post[]>;
  /** How many posts `list` would return without `limit` and `offset`. */
  count(filter: PostCountFilter): Promise<number>;
  setApprovalMessage(id: number, message: { channelId: string; messageId: string }): Promise<void>;
  /**
   * Applies `changes` only while the post is still in `from` (a single conditional update),
   * together with its audit event; refuses with `invalid_transition` when someone else moved it.
   */
  transition(
    id: number,
    from: PostStatus,
    changes: PostChanges & { status: PostStatus },
    audit: AuditNote,
  ): Promise<Post>;
  /**
   * Several transitions in one database transaction, each as `transition` applies it; the result
   * for a move is the moved post, or null where someone else moved that post first.
   */
  transitionAll(moves: readonly PostMove[]): Promise<(Post | null)[]>;
  /**
   * approved → publishing with a lease, for each of `ids` that is still approved and due. Exactly
   * one of any number of concurrent callers gets each post; returns the ones this caller got, in
   * the order of `ids`.
   */
  claim(ids: readonly number[], now: Date, leaseUntil: Date): Promise<Post[]>;
  /** Scheduled instants of the campaign's live posts at or after `from`, for "next free slot". */
  takenSlots(campaignId: number, from: Date): Promise<Date[]>;
  /**
   * Texts of the account's posts (not rejected or cancelled) scheduled within `from`..`to`,
   * leaving out `excludePostId`: the duplicate-text check.
   */
  textsNear(
    xAccountId: number,
    window: { from: Date; to: Date; excludePostId?: number | undefined },
  ): Promise<string[]>;
}

export interface XAccountRepository {
  /** Stores the account with its credentials sealed; connecting a known handle again replaces them. */
  save(account: NewXAccount, audit: AuditNote): Promise<XAccount>;
  findById(id: number): Promise<XAccount | null>;
  list(guildId: string): Promise<XAccount[]>;
  /** Opens the sealed credentials; refuses with `secret_invalid` when they cannot be decrypted. */
  credentialsOf(id: number): Promise<XCredentials>;
  setStatus(id: number, status: XAccountStatus, audit: AuditNote): Promise<XAccount>;
}

/** The runner's view of the posts table (design.md section 4). */
export interface PublishQueue {
  /**
   * Approved posts due at `now` (scheduled and past any backoff), in campaigns that are active and
   * whose X account is not invalid, oldest first, leaving out `skipAccounts`.
   */
  due(now: Date, limit: number, skipAccounts: readonly number[]): Promise<Post[]>;
  /** The earliest instant a post `due()` would return becomes due; null when nothing waits. */
  nextDueAt(skipAccounts: readonly number[]): Promise<Date | null>;
  /**
   * Takes over `publishing` posts whose lease ended before `cutoff` (a crashed attempt), or all
   * of them, with a new lease, one conditional update each so only one recoverer gets a post.
   */
  takeOverExpired(cutoff: Date | "all", leaseUntil: Date, limit: number): Promise<Post[]>;
  /**
   * When the earliest lease of a `publishing` post ends: with a shared database, the instant to
   * look again, in case the instance holding it died. Null when nothing is being published.
   */
  nextLeaseExpiry(): Promise<Date | null>;
  /** Extends the lease of a post this runner holds; false when the post is no longer ours. */
  renewLease(id: number, leaseUntil: Date): Promise<boolean>;
  /** Publish instants (and in-flight attempts) of the account's posts since `since`. */
  publishTimes(xAccountId: number, since: Date): Promise<Date[]>;
  /** Approved posts whose time passed before `cutoff`: candidates for `missed` after downtime. */
  overdue(cutoff: Date, limit: number): Promise<Post[]>;
}
