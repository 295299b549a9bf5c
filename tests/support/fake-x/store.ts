import { FakeXBill } from "./bill.ts";
import { SnowflakeIds } from "./ids.ts";
import type { UrlEntity } from "./links.ts";

export interface FakeXAccount {
  readonly userId: string;
  readonly username: string;
  /** The OAuth 1.0a access token (or OAuth 2 bearer token) that acts as this account. */
  readonly accessToken: string;
  /** Display name; the username when not given. */
  readonly name?: string | undefined;
  /** Owns the developer app: reads of its own timeline are billed at X's owned rate. */
  readonly ownsApp?: boolean | undefined;
}

/** The account the fake knows when a test names none. */
export const DEFAULT_FAKE_X_ACCOUNT: FakeXAccount = {
  userId: "1700000000000000001",
  username: "herald_fake",
  accessToken: "fake-x-access-token",
  name: "Herald Fake",
};

/** Engagement counters of a post; public, non-public and organic metrics are drawn from them. */
export interface PostMetrics {
  impression_count: number;
  like_count: number;
  reply_count: number;
  retweet_count: number;
  quote_count: number;
  bookmark_count: number;
  url_link_clicks: number;
  user_profile_clicks: number;
}

/** A post as X holds it. */
export interface StoredPost {
  readonly id: string;
  /** The text exactly as the client sent it. */
  readonly text: string;
  /** The text X stores and returns, with every link replaced by a t.co link. */
  readonly storedText: string;
  readonly urls: readonly UrlEntity[];
  readonly authorId: string;
  /** ISO 8601 with milliseconds, X's created_at format, from the injected clock. */
  readonly createdAt: string;
  readonly paidPartnership: boolean;
  readonly mediaIds: readonly string[];
  readonly inReplyToId: string | null;
  metrics: PostMetrics;
  /** Counters that keep rising: `metricsAt` adds `perHour` for every hour since `since`. */
  growth?: { since: number; perHour: Partial<PostMetrics> } | undefined;
  /** Counters as a function of the post's age in ms, instead of set metrics and growth. */
  curve?: ((ageMs: number) => PostMetrics) | undefined;
}

/** A post's counters at `now`: its set metrics plus whatever its growth added since. */
export function metricsAt(post: StoredPost, now: number): PostMetrics {
  if (post.curve !== undefined) return post.curve(Math.max(0, now - Date.parse(post.createdAt)));
  if (post.growth === undefined) return post.metrics;
  const hours = Math.max(0, now - post.growth.since) / (60 * 60 * 1000);
  const grown = { ...post.metrics };
  for (const [key, rate] of Object.entries(post.growth.perHour) as [keyof PostMetrics, number][]) {
    grown[key] += Math.floor(rate * hours);
  }
  return grown;
}

/** The sensitive-media flags set through POST /2/media/metadata; a flag not sent is false. */
export interface SensitiveMediaWarning {
  readonly adult_content: boolean;
  readonly graphic_violence: boolean;
  readonly other: boolean;
}

/** An uploaded (or uploading) media item and the metadata set on it. */
export interface StoredMedia {
  readonly id: string;
  readonly mediaKey: string;
  readonly ownerId: string;
  readonly mediaType: string;
  readonly mediaCategory: string | null;
  /** Announced by INIT; equals receivedBytes for a one-shot upload. */
  readonly totalBytes: number;
  receivedBytes: number;
  state: "uploading" | "processing" | "ready";
  altText: string | null;
  sensitiveMediaWarning: SensitiveMediaWarning | null;
}

export const ZERO_METRICS: Readonly<PostMetrics> = {
  impression_count: 0,
  like_count: 0,
  reply_count: 0,
  retweet_count: 0,
  quote_count: 0,
  bookmark_count: 0,
  url_link_clicks: 0,
  user_profile_clicks: 0,
};

/** What the fake X holds: accounts, posts and media. */
export class FakeXStore {
  readonly posts: StoredPost[] = [];
  readonly media: StoredMedia[] = [];
  readonly ids: SnowflakeIds;
  readonly bill: FakeXBill;
  private postIndex = new Map<string, StoredPost>();
  private readonly accountsByToken: Map<string, FakeXAccount>;
  private readonly accountsById: Map<string, FakeXAccount>;

  constructor(
    accounts: readonly FakeXAccount[],
    readonly now: () => number,
  ) {
    this.ids = new SnowflakeIds(now);
    this.bill = new FakeXBill(now);
    this.accountsByToken = new Map(accounts.map((account) => [account.accessToken, account]));
    this.accountsById = new Map(accounts.map((account) => [account.userId, account]));
  }

  accountForToken(token: string): FakeXAccount | undefined {
    return this.accountsByToken.get(token);
  }

  accountById(userId: string): FakeXAccount | undefined {
    return this.accountsById.get(userId);
  }

  /**
   * By id through an index rebuilt whenever posts were added or cleared (posts are only ever
   * appended or emptied): a lookup of 100 ids among 10,000 posts must not scan them all.
   */
  post(id: string): StoredPost | undefined {
    if (this.postIndex.size !== this.posts.length) {
      this.postIndex = new Map(this.posts.map((post) => [post.id, post]));
    }
    return this.postIndex.get(id);
  }

  mediaItem(id: string): StoredMedia | undefined {
    return this.media.find((item) => item.id === id);
  }

  /** Empties posts and media in place, so arrays handed out earlier stay the live ones. */
  clear(): void {
    this.posts.splice(0);
    this.postIndex = new Map();
    this.media.splice(0);
    this.bill.clear();
  }
}
