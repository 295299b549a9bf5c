import twitterText from "twitter-text";

/**
 * What X would charge, kept as X bills pay-per-use (docs.x.com, "pricing"): writes per request,
 * reads per resource returned and each resource at most once per UTC day, and reads of a user's
 * own timeline at the owned rate only when that user owns the developer app. The prices are the
 * fake's own copy of X's, so a test compares Herald's ledger with an independent count.
 */
export const FAKE_X_PRICES = {
  create: 0.015,
  create_with_url: 0.2,
  media_metadata: 0.005,
  post_read: 0.005,
  owned_read: 0.001,
  user_read: 0.01,
} as const;
export type BillKind = keyof typeof FAKE_X_PRICES;

export interface BillEntry {
  readonly kind: BillKind;
  /** The post, user or media item billed (a created post's new id). */
  readonly resourceId: string;
  /** The account whose token made the call. */
  readonly userId: string;
  /** UTC date, YYYY-MM-DD. */
  readonly day: string;
  readonly usd: number;
}

export class FakeXBill {
  readonly entries: BillEntry[] = [];
  private readonly readKeys = new Set<string>();

  constructor(private readonly now: () => number) {}

  /** A write: billed per request. */
  write(kind: "create" | "media_metadata", resourceId: string, userId: string, text = ""): void {
    const billed =
      kind === "create" && twitterText.extractUrls(text).length > 0 ? "create_with_url" : kind;
    this.add(billed, resourceId, userId);
  }

  /** A resource returned by a read: billed once per UTC day, at the first read's rate. */
  read(kind: "post_read" | "owned_read" | "user_read", resourceId: string, userId: string): void {
    const key = `${kind === "user_read" ? "user" : "post"}:${resourceId}:${this.day()}`;
    if (this.readKeys.has(key)) return;
    this.readKeys.add(key);
    this.add(kind, resourceId, userId);
  }

  total(filter: (entry: BillEntry) => boolean = () => true): number {
    return this.entries.filter(filter).reduce((sum, entry) => sum + entry.usd, 0);
  }

  clear(): void {
    this.entries.splice(0);
    this.readKeys.clear();
  }

  private day(): string {
    return new Date(this.now()).toISOString().slice(0, 10);
  }

  private add(kind: BillKind, resourceId: string, userId: string): void {
    this.entries.push({ kind, resourceId, userId, day: this.day(), usd: FAKE_X_PRICES[kind] });
  }
}
