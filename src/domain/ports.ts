import type { AuditNote } from "./audit.ts";
import type { Campaign, CampaignChanges, CampaignStatus, NewCampaign } from "./campaigns.ts";
import type { OutboxDraft } from "./outbox.ts";
import type { PostEvent, PostStatus } from "./post-lifecycle.ts";
import type {
  NewAffiliateLink,
  NewPost,
  Post,
  PostChanges,
  PostCountFilter,
  PostFilter,
} from "./posts.ts";
import type { XCredentials } from "./secrets.ts";
import type { NewXAccount, XAccount, XAccountBudget, XAccountStatus } from "./x-accounts.ts";

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

/**
 * The campaign's posts that move with a change to the campaign, in the same transaction: those
 * in `statuses` when it runs, each by `event` with `changes` and an audit event (`audit`, its
 * payload completed with the post's from and to).
 */
export interface PostSweep {
  statuses: readonly PostStatus[];
  event: PostEvent;
  changes: PostChanges;
  audit: AuditNote;
  /** Messages about each moved post (its approval message), written with the sweep. */
  notices?: PostNotices;
  /** One message about the whole change, from the changed campaign and the posts it moved. */
  summary?: (campaign: Campaign, moved: readonly Post[]) => OutboxDraft[];
}

/** A changed campaign and the posts its sweep moved. */
export interface CampaignUpdate {
  campaign: Campaign;
  posts: Post[];
}

export interface CampaignRepository {
  /** Refuses with `campaign_name_taken` when the name or its slug is used in the guild. */
  create(campaign: NewCampaign, audit: AuditNote): Promise<Campaign>;
  findByName(guildId: string, name: string): Promise<Campaign | null>;
  findById(id: number): Promise<Campaign | null>;
  /** By name, then id: a stable order, so consecutive pages neither overlap nor skip. */
  list(guildId: string, window?: PageWindow): Promise<Campaign[]>;
  count(guildId: string): Promise<number>;
  /**
   * Applies `changes` to a campaign that is not archived, with its audit event and the sweep's
   * post moves, in one transaction. Refuses with `campaign_name_taken` when the new name or its
   * slug belongs to another live campaign, and with `campaign_state` when it was archived.
   */
  update(
    id: number,
    changes: CampaignChanges,
    audit: AuditNote,
    sweep?: PostSweep,
  ): Promise<CampaignUpdate>;
  /**
   * Moves `from` → `to` only if the campaign is still in `from`, with the sweep's post moves in
   * the same transaction; refuses with `campaign_state`.
   */
  changeStatus(
    id: number,
    from: CampaignStatus,
    to: CampaignStatus,
    audit: AuditNote,
    sweep?: PostSweep,
  ): Promise<CampaignUpdate>;
  /**
   * Gives the account to every campaign of the guild that has none and is not archived (the
   * X_API_* account once stored), each with its audit event, in one transaction.
   */
  adoptAccount(guildId: string, xAccountId: number, audit: AuditNote): Promise<Campaign[]>;
}

/** One post's transition, as PostRepository.transition takes it. */
export interface PostMove {
  id: number;
  from: PostStatus;
  changes: PostChanges & { status: PostStatus };
  audit: AuditNote;
  /** When given, the move applies only while this runner holds the post's lease. */
  leaseOwner?: string;
  /**
   * Messages reporting the move, written in its transaction (and only if it applies), rendered
   * from the post as recorded: the rows the transaction reads anyway, so no extra query.
   */
  notices?: PostNotices;
}

/** A post as a move recorded it, with what its messages name. */
export interface RecordedPost {
  post: Post;
  guildId: string;
  campaignName: string;
  /** The campaign's X account's handle; null when it has none. */
  accountHandle: string | null;
  /** The post's campaign as the move read it (its approval message shows the campaign). */
  campaign: Campaign;
}

/**
 * Why an account's posts wait (one rule for every hold, design.md section 4): its own posting
 * budget is used up, X's rate limit said to wait, or the monthly X budget stops posting.
 */
export type HoldReason = "budget" | "rate_limit" | "x_budget";

export interface AccountHold {
  reason: HoldReason;
  until: Date;
  /** The hold's own words, when its source gives some (the X budget's amount). */
  detail?: string | undefined;
}

/** Messages a change to one post writes in its transaction, from the post as recorded. */
export type PostNotices = (recorded: RecordedPost) => OutboxDraft[];

/**
 * The messages the runner writes with its moves, rendered outside the domain. Each list is
 * written in the transaction of the move it reports, and only if the move applies.
 */
export interface RunnerNotices {
  /** The notice with the post's link on X, and the post's approval message shown as published. */
  published(recorded: RecordedPost, xPostId: string): OutboxDraft[];
  /** X refused the post, or Herald could not send it: the reason and a Retry button. */
  failed(recorded: RecordedPost, reason: string): OutboxDraft[];
  /**
   * The posts of one campaign that one hold kept past the grace window: one message (the count,
   * the first few, a button that reschedules them all), and each post's approval message.
   */
  missed(recorded: readonly RecordedPost[]): OutboxDraft[];
  /** X refused the account's keys: its posts are held until it is reconnected. */
  accountInvalid(account: XAccount, reason: string): OutboxDraft[];
  /** The account's posts wait until the hold ends; told once per hold. */
  accountHeld(account: XAccount, hold: AccountHold): OutboxDraft[];
}

export interface PostRepository {
  /**
   * Creates the post and, when given, its affiliate link (built from the new post's id), with
   * the messages `notices` renders from it, in one transaction.
   */
  create(post: NewPost, audit: AuditNote, notices?: PostNotices): Promise<Post>;
  findById(id: number): Promise<Post | null>;
  /** The post queued through this /post queue form, if any. */
  findByFormId(formId: string): Promise<Post | null>;
  /**
   * Newest scheduled first, then highest id: a stable order, so consecutive pages (`offset`)
   * neither overlap nor skip.
   */
  list(filter: PostFilter): Promise<Post[]>;
  /** How many posts `list` would return without `limit` and `offset`. */
  count(filter: PostCountFilter): Promise<number>;
  /**
   * Applies `changes` only while the post is still in `from` (a single conditional update),
   * together with its audit event; refuses with `invalid_transition` when someone else moved it.
   */
  transition(
    id: number,
    from: PostStatus,
    changes: PostChanges & { status: PostStatus },
    audit: AuditNote,
    notices?: PostNotices,
  ): Promise<Post>;
  /**
   * An edit: applied as `transition` applies it and, when `link` is given, the post's affiliate
   * link replaced by it (tracked with the post's id), in one transaction with the audit event.
   */
  edit(
    id: number,
    from: PostStatus,
    changes: PostChanges & { status: PostStatus },
    link: NewAffiliateLink | undefined,
    audit: AuditNote,
    notices?: PostNotices,
  ): Promise<Post>;
  /**
   * Several transitions in one database transaction, each as `transition` applies it; the result
   * for a move is the moved post, or null where someone else moved that post first. `together`
   * renders messages about all the moves that applied (none applied: not called), written in the
   * same transaction.
   */
  transitionAll(
    moves: readonly PostMove[],
    together?: (recorded: readonly RecordedPost[]) => OutboxDraft[],
  ): Promise<(Post | null)[]>;
  /**
   * approved → publishing with a lease held by `owner`, for each of `ids` that is still approved
   * and due. Exactly one of any number of concurrent callers gets each post; returns the ones this
   * caller got, in the order of `ids`.
   */
  claim(ids: readonly number[], now: Date, leaseUntil: Date, owner: string): Promise<Post[]>;
  /** How many of the campaign's posts are in one of `statuses`. */
  countInCampaign(campaignId: number, statuses: readonly PostStatus[]): Promise<number>;
  /** Scheduled instants of the campaign's live posts at or after `from`, for "next free slot". */
  takenSlots(campaignId: number, from: Date): Promise<Date[]>;
  /**
   * Texts of the guild's posts, on any account (not rejected or cancelled), scheduled within
   * `from`..`to`, leaving out `excludePostId`: the duplicate-text check (DUPLICATE_WINDOW_DAYS).
   */
  textsNear(
    guildId: string,
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
  /**
   * active → invalid (X refused the keys), with its audit event and the messages `notices`
   * renders from the account, in one transaction; null when the account was not active (of
   * several posts refused at once, one invalidates it and tells the team).
   */
  markInvalid(
    id: number,
    audit: AuditNote,
    notices: (account: XAccount) => OutboxDraft[],
  ): Promise<XAccount | null>;
  /** Whether the account owns the X developer app (`/x budget owns_app:`). */
  setOwnsApp(id: number, ownsApp: boolean, audit: AuditNote): Promise<XAccount>;
  /**
   * Marks the account disconnected, with its audit event and the messages `notices` renders from
   * it and the live campaigns that post as it, unless it already is (then null): of two Confirm
   * presses at once, one disconnects.
   */
  disconnect(
    id: number,
    audit: AuditNote,
    notices?: (account: XAccount, held: readonly Campaign[]) => OutboxDraft[],
  ): Promise<{ account: XAccount; held: Campaign[] } | null>;
  /** Sets the account's posting budgets given (the others keep their value). */
  setBudget(id: number, budget: XAccountBudget, audit: AuditNote): Promise<XAccount>;
  /**
   * Seals again, with the current key, every account's credentials sealed with a previous key
   * (HERALD_PREVIOUS_SECRET_KEYS); returns how many were.
   */
  resealStale(): Promise<number>;
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
   * of them, with a new lease held by `owner`, one conditional update each so only one recoverer
   * gets a post.
   */
  takeOverExpired(
    cutoff: Date | "all",
    leaseUntil: Date,
    limit: number,
    owner: string,
  ): Promise<Post[]>;
  /**
   * When the earliest lease of a `publishing` post ends: with a shared database, the instant to
   * look again, in case the instance holding it died. Null when nothing is being published.
   */
  nextLeaseExpiry(): Promise<Date | null>;
  /**
   * Extends the lease of a post `owner` holds; false when the post is no longer its own (another
   * runner took it over after the lease ended, or it was settled).
   */
  renewLease(id: number, leaseUntil: Date, owner: string): Promise<boolean>;
  /** Publish instants (and in-flight attempts) of the account's posts since `since`. */
  publishTimes(xAccountId: number, since: Date): Promise<Date[]>;
}
