/**
 * What X bills for each kind of call Herald makes (design.md section 6): the one price table.
 * X bills pay-per-use (docs.x.com, "pricing"): writes per request, reads per resource returned,
 * each resource at most once per UTC day. The defaults are X's published prices at the time of
 * writing; HERALD_X_PRICES overrides any of them.
 */

export const X_CALL_KINDS = [
  /** POST /2/tweets without a URL ("Content: Create"). */
  "post_create",
  /** POST /2/tweets whose text holds a URL ("Content: Create (with URL)"). */
  "post_create_url",
  /** POST /2/media/metadata, the sensitive-media flag of an adult campaign ("Content: Manage"). */
  "media_metadata",
  /** A post read through GET /2/tweets ("Posts: Read"), per post. */
  "post_read",
  /** A post read through the account's own timeline when it owns the developer app, per post. */
  "owned_read",
  /** GET /2/users/me when an account is connected ("User: Read"). */
  "user_lookup",
] as const;
export type XCallKind = (typeof X_CALL_KINDS)[number];

/** US dollars per billed unit (request or resource) of each kind. */
export type XPrices = Readonly<Record<XCallKind, number>>;

export const DEFAULT_X_PRICES: XPrices = {
  post_create: 0.015,
  post_create_url: 0.2,
  media_metadata: 0.005,
  post_read: 0.005,
  owned_read: 0.001,
  user_lookup: 0.01,
};

/** Kinds that /report counts as posting; every other kind is reading. */
const POSTING_KINDS: ReadonlySet<XCallKind> = new Set([
  "post_create",
  "post_create_url",
  "media_metadata",
]);

export function isPostingKind(kind: XCallKind): boolean {
  return POSTING_KINDS.has(kind);
}

export function isXCallKind(value: string): value is XCallKind {
  return (X_CALL_KINDS as readonly string[]).includes(value);
}

/** The UTC calendar date of an instant, YYYY-MM-DD: the day X bills it on. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The UTC calendar month of an instant, YYYY-MM: the period of the monthly budget. */
export function utcMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** The first instant of the UTC month after `at`'s. */
export function nextUtcMonth(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}
