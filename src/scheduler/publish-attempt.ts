import type { Campaign } from "../domain/campaigns.ts";
import { composePostText } from "../domain/content-policy.ts";
import { isDomainError } from "../domain/errors.ts";
import type { Post } from "../domain/posts.ts";
import type { PublishAccount } from "../domain/publishing.ts";
import { mayBeOnX } from "../domain/timeline-match.ts";
import type { Logger } from "../logger.ts";
import type { Leases } from "./leases.ts";
import type { RunnerDeps } from "./runner-deps.ts";
import type { Settlement } from "./settlement.ts";

export type AccountLookup =
  | { kind: "ok"; account: PublishAccount }
  | { kind: "missing" }
  | { kind: "invalid"; handle: string }
  | { kind: "unreadable"; handle: string; reason: string };

/** One claimed post's way to X: its account, its text, the timeline check, the call, the record. */
export class PublishAttempt {
  constructor(
    private readonly deps: RunnerDeps,
    private readonly leases: Leases,
    private readonly settlement: Settlement,
    private readonly log: Logger,
  ) {}

  async publishClaimed(
    post: Post,
    campaign: Campaign | null,
    lookUp: (xAccountId: number) => Promise<AccountLookup>,
  ): Promise<void> {
    const lease = this.leases.keep(post);
    const log = this.log.child({ postId: post.id, attempt: post.attempts });
    try {
      if (campaign === null || campaign.xAccountId === null) {
        await this.settlement.fail(
          post,
          "The campaign has no X account. Connect one with /x connect and set it on the campaign, then retry.",
        );
        return;
      }
      const account = await this.accountFor(post, lookUp(campaign.xAccountId));
      if (account === null) return;
      const text = await this.textOf(post);

      // An earlier attempt may have reached X (a timeout, a dropped connection, a crash, an
      // attempt before a Retry): look on the timeline before posting again.
      if (mayBeOnX(post) && (await this.settlement.foundOnTimeline(post, account, text))) {
        return;
      }

      if (!(await lease.confirm())) return;
      log.debug("publishing");
      const outcome = await this.deps.publisher.publish({
        account,
        text,
        media: post.media,
        sensitive: campaign.adult,
        paidPartnership: campaign.paidPartnership && post.affiliateLink !== null,
      });
      await this.settlement.settle(post, account, text, outcome);
    } finally {
      lease.release();
    }
  }

  /** The text exactly as X receives it, with the link Herald sends for the post. */
  async textOf(post: Post): Promise<string> {
    const link =
      post.affiliateLink === null
        ? null
        : ((await this.deps.trackedLink?.(post)) ?? post.affiliateLink.trackedUrl);
    return composePostText(post.text, link);
  }

  /** The account and its opened credentials, read once for all the posts of a claimed batch. */
  async lookUpAccount(xAccountId: number): Promise<AccountLookup> {
    const account = await this.deps.accounts.findById(xAccountId);
    if (account === null) return { kind: "missing" };
    if (account.status === "invalid") return { kind: "invalid", handle: account.handle };
    try {
      const credentials = await this.deps.accounts.credentialsOf(xAccountId);
      return { kind: "ok", account: { id: account.id, xUserId: account.xUserId, credentials } };
    } catch (error) {
      if (isDomainError(error)) {
        return { kind: "unreadable", handle: account.handle, reason: error.message };
      }
      throw error;
    }
  }

  /** The account to publish `post` with, or null after settling the post when there is none. */
  async accountFor(post: Post, lookup: Promise<AccountLookup>): Promise<PublishAccount | null> {
    const found = await lookup;
    switch (found.kind) {
      case "ok":
        return found.account;
      case "missing":
        await this.settlement.fail(
          post,
          "The campaign's X account no longer exists. Connect one with /x connect.",
        );
        return null;
      case "invalid":
        // Another post just found the account's credentials refused: hold this one too.
        await this.settlement.retryLater(
          post,
          `The X account @${found.handle} needs reconnecting (/x connect).`,
          this.deps.clock.now(),
          post.attempts - 1,
        );
        return null;
      case "unreadable":
        await this.settlement.fail(
          post,
          `The X account @${found.handle} cannot be used: ${found.reason}`,
        );
        return null;
    }
  }
}
