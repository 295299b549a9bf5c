import type { XCredentials } from "./secrets.ts";
import { DEFAULT_X_PRICES, type XPrices } from "./x-prices.ts";

/** What the runner hands the publisher: everything X needs, nothing it does not. */
export interface PublishRequest {
  account: PublishAccount;
  /** The text as X receives it: post text plus tracked link (composePostText). */
  text: string;
  /** Stored media files to upload first. */
  media: string[];
  /** Adult campaign: media is uploaded with X's sensitive-media warning. */
  sensitive: boolean;
  /** X's "paid promotion" label, for posts with an affiliate link. */
  paidPartnership: boolean;
}

export interface PublishAccount {
  id: number;
  xUserId: string;
  credentials: XCredentials;
}

/** X's own view of how much room is left, read from the response headers. */
export interface RateLimitHint {
  /** No more posts for this account until this instant (a window that X says is exhausted). */
  blockedUntil: Date | null;
}

/**
 * Every way a publish attempt can end, typed so the runner never inspects error text.
 * `uncertain` means the request may have reached X (timeout, dropped connection, 5xx): the post
 * might exist, so the timeline is checked before any retry.
 */
export type PublishOutcome =
  | { kind: "published"; xPostId: string; limits: RateLimitHint }
  | { kind: "rate_limited"; resetAt: Date; reason: string }
  | { kind: "uncertain"; reason: string }
  | { kind: "auth_invalid"; reason: string }
  | { kind: "rejected"; reason: string }
  | { kind: "duplicate"; reason: string };

export interface TimelinePost {
  id: string;
  /** As X stores it: links X recognised are t.co links. */
  text: string;
  createdAt: Date;
  /** X's `entities.urls`: each t.co link with the URL it stands for. */
  links: { url: string; expandedUrl: string }[];
}

/** The X side of publishing, implemented in src/x with twitter-api-v2. */
export interface Publisher {
  publish(request: PublishRequest): Promise<PublishOutcome>;
  /** The account's own posts created at or after `since`, newest first (crash recovery). */
  recentPosts(
    account: PublishAccount,
    since: Date,
  ): Promise<
    { kind: "ok"; posts: TimelinePost[] } | Exclude<PublishOutcome, { kind: "published" }>
  >;
}

/** What X bills for creating a post (x-prices.ts): a post with a URL costs more. */
export function publishCostUsd(hasUrl: boolean, prices: XPrices = DEFAULT_X_PRICES): number {
  return hasUrl ? prices.post_create_url : prices.post_create;
}
