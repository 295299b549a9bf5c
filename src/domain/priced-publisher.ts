/**
 * The publisher with every X call it makes written to the spend ledger (x-spend.ts): a post
 * created (with or without a URL), the sensitive-media flag of each media item, and the posts a
 * timeline check read. The runner stays unaware of prices.
 */
import type { XAccountRepository } from "./ports.ts";
import type { PublishAccount, Publisher, PublishRequest } from "./publishing.ts";
import { urlsIn } from "./timeline-match.ts";
import type { SpendEntry } from "./x-spend.ts";

export class PricedPublisher implements Publisher {
  constructor(
    private readonly inner: Publisher,
    private readonly spend: { record(entries: readonly SpendEntry[]): Promise<void> },
    private readonly accounts: Pick<XAccountRepository, "findById">,
    /** A ledger that cannot be written must not fail a publish X has already done. */
    private readonly onRecordFailed: (error: unknown) => void,
  ) {}

  async publish(request: PublishRequest) {
    const outcome = await this.inner.publish(request);
    if (outcome.kind === "published") {
      const xAccountId = request.account.id;
      await this.record([
        {
          xAccountId,
          kind: urlsIn(request.text).length > 0 ? "post_create_url" : "post_create",
          units: 1,
        },
        // X has no per-post sensitive flag: each media item is flagged with its own request.
        { xAccountId, kind: "media_metadata", units: request.sensitive ? request.media.length : 0 },
      ]);
    }
    return outcome;
  }

  async recentPosts(account: PublishAccount, since: Date) {
    const result = await this.inner.recentPosts(account, since);
    if (result.kind === "ok") {
      const ownsApp = (await this.accounts.findById(account.id))?.ownsApp ?? false;
      await this.spend.record([
        {
          xAccountId: account.id,
          kind: ownsApp ? "owned_read" : "post_read",
          units: result.posts.length,
        },
      ]);
    }
    return result;
  }

  private async record(entries: readonly SpendEntry[]): Promise<void> {
    try {
      await this.spend.record(entries);
    } catch (error) {
      this.onRecordFailed(error);
    }
  }
}
