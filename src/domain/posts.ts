import { buildTrackedUrl, type UtmTags, validateAffiliateUrl } from "./affiliate-link.ts";
import { type Campaign, requireCampaign } from "./campaigns.ts";
import { checkPostContent, DUPLICATE_WINDOW_DAYS } from "./content-policy.ts";
import { DomainError } from "./errors.ts";
import type { ApprovalNotices } from "./notices.ts";
import type { CampaignRepository, Clock, PostNotices, PostRepository } from "./ports.ts";
import { nextStatus, type PostEvent, type PostStatus } from "./post-lifecycle.ts";
import { nextFreeSlot, parsePostTime } from "./schedule.ts";
import type { SettingsRepository } from "./settings.ts";

export interface AffiliateLinkInfo {
  originalUrl: string;
  trackedUrl: string;
}

export interface Approval {
  by: string;
  at: Date;
  decision: "approved" | "rejected";
  reason: string | null;
}

export interface Post {
  id: number;
  campaignId: number;
  text: string;
  media: string[];
  affiliateLink: AffiliateLinkInfo | null;
  scheduledAt: Date;
  status: PostStatus;
  approval: Approval | null;
  /** The approval-channel message showing this post, once it has been sent there. */
  approvalMessage: { channelId: string; messageId: string } | null;
  attempts: number;
  /** After a failed attempt: not tried again before this instant. */
  nextAttemptAt: Date | null;
  leaseUntil: Date | null;
  /** The runner holding the lease while the post is publishing; only it may settle the post. */
  leaseOwner: string | null;
  /**
   * When the first attempt to publish began (a claim): X may hold the post from then on. Kept by
   * Retry, so the next attempt still looks on the timeline, from there.
   */
  firstAttemptAt: Date | null;
  lastError: string | null;
  xPostId: string | null;
  publishedAt: Date | null;
  costUsd: number | null;
  createdBy: string;
  /** Who last changed the text, link or media; null until someone edits the post. */
  editedBy: string | null;
  /** The experiment variant the post tests; null for every other post. */
  experimentVariantId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The refusal of a second post from one queue form, naming the post the first one queued. */
export function formSubmitted(first: Post | null): DomainError {
  return new DomainError(
    "form_submitted",
    `This form was submitted already${first === null ? "" : ` and queued post #${first.id}`}; nothing more was queued.`,
  );
}

/** The campaign's tracking for a link a person gave (checked: an http(s) URL X will take). */
export function affiliateLinkFor(campaign: Campaign, originalUrl: string): NewAffiliateLink {
  return {
    originalUrl: validateAffiliateUrl(originalUrl).href,
    utm: { source: "x", medium: "social", campaign: campaign.slug },
  };
}

/** A link to track: the repository stores it with `utm_content` set to the new post's id. */
export interface NewAffiliateLink {
  originalUrl: string;
  utm: Omit<UtmTags, "content">;
}

export interface NewPost {
  campaignId: number;
  text: string;
  media: string[];
  scheduledAt: Date;
  status: PostStatus;
  createdBy: string;
  link: NewAffiliateLink | null;
  /**
   * The /post queue form it came from, when it came from one: the repository refuses a second
   * post from the same form (`form_submitted`).
   */
  formId?: string;
  /** The library item autopilot made the post from. */
  contentItemId?: number;
  /** The experiment variant the post tests. */
  experimentVariantId?: number;
}

export type PostChanges = Partial<
  Pick<
    Post,
    | "text"
    | "media"
    | "scheduledAt"
    | "approval"
    | "attempts"
    | "nextAttemptAt"
    | "leaseUntil"
    | "leaseOwner"
    | "lastError"
    | "xPostId"
    | "publishedAt"
    | "costUsd"
    | "editedBy"
  >
>;

/**
 * A stand-in for the URL X will receive for a post of the campaign with this link: any URL weighs
 * 23 on X, so a placeholder post id gives the final weighted length before the post exists.
 */
export function previewLinkUrl(campaign: Campaign, originalUrl: string | null): string | null {
  return originalUrl === null ? null : trackedLinkFor(affiliateLinkFor(campaign, originalUrl), 0);
}

/** The tracked URL of a post's link: one `utm_content` per post, so clicks can be told apart. */
export function trackedLinkFor(link: NewAffiliateLink, postId: number): string {
  return buildTrackedUrl(link.originalUrl, { ...link.utm, content: String(postId) });
}

export interface PostFilter {
  guildId: string;
  campaignId?: number | undefined;
  status?: PostStatus | undefined;
  /** Only posts in one of these statuses: what a subcommand can act on, for autocomplete. */
  statuses?: readonly PostStatus[] | undefined;
  /** Posts whose text contains this (case-insensitive), for autocomplete. */
  search?: string | undefined;
  /** Only the post with this number (in the guild), for autocomplete by number. */
  id?: number | undefined;
  /** Posts to skip before the first one returned: the position of a page. */
  offset?: number | undefined;
  limit: number;
}

/** The filter without the page window: what a page's "of 45" counts. */
export type PostCountFilter = Omit<PostFilter, "limit" | "offset">;

const DUPLICATE_WINDOW_MS = DUPLICATE_WINDOW_DAYS * 24 * 60 * 60 * 1000;
/**
 * X refuses the same text from one account within this long of an earlier post. An experiment
 * repeats its variants' texts by design, so its posts keep this gap instead of the team's window.
 */
export const SAME_ACCOUNT_DUPLICATE_MS = 24 * 60 * 60 * 1000;
const MAX_REASON_LENGTH = 500;

export interface QueuePostInput {
  guildId: string;
  campaign: string;
  text: string;
  link?: string | undefined;
  at?: string | undefined;
  media?: string[] | undefined;
  /** Set when the post comes from the queue form: the form's id, so a resubmission is refused. */
  formId?: string | undefined;
}

/** What an edit changes; each part left out stays as it is. */
export interface PostEdit {
  text?: string | undefined;
  /** The new affiliate link: tracked again, with this post's id as `utm_content`. */
  link?: string | undefined;
  /** Stored paths that replace the post's media. */
  media?: string[] | undefined;
}

export class PostService {
  constructor(
    private readonly deps: {
      campaigns: CampaignRepository;
      posts: PostRepository;
      clock: Clock;
      /** Read at each approval: whether the guild requires a second pair of eyes. */
      settings: Pick<SettingsRepository, "get">;
      /** The approval channel's messages, written with each change (design.md section 11). */
      notices: ApprovalNotices;
      /**
       * Told after every change, once committed: the publishing runner re-arms its timer and the
       * outbox delivers the messages written with it.
       */
      onChange?: (post: Post) => void;
    },
  ) {}

  async queue(input: QueuePostInput, actor: string): Promise<Post> {
    if (input.formId !== undefined) {
      // Before any other check: a form delivered again is answered as such, not as a duplicate text.
      const first = await this.deps.posts.findByFormId(input.formId);
      if (first !== null) throw formSubmitted(first);
    }
    const campaign = await requireCampaign(this.deps.campaigns, input.guildId, input.campaign);
    if (campaign.status === "archived") {
      throw new DomainError(
        "campaign_state",
        `Campaign "${campaign.name}" is ${campaign.status}; posts can only be queued for active or paused campaigns.`,
      );
    }
    const originalUrl = input.link ?? campaign.defaultLink;
    const link = originalUrl === null ? null : affiliateLinkFor(campaign, originalUrl);
    const scheduledAt = await this.resolveTime(campaign, input.at);
    await this.checkContent(
      campaign,
      input.text,
      previewLinkUrl(campaign, originalUrl),
      scheduledAt,
    );
    const status = "pending_approval";
    const post = await this.deps.posts.create(
      {
        campaignId: campaign.id,
        text: input.text.trim(),
        media: input.media ?? [],
        scheduledAt,
        status,
        createdBy: actor,
        link,
        ...(input.formId === undefined ? {} : { formId: input.formId }),
      },
      { actor, action: "post.queued", payload: { scheduledAt: scheduledAt.toISOString() } },
      (recorded) => this.deps.notices.waiting(recorded),
    );
    this.deps.onChange?.(post);
    return post;
  }

  async approve(postId: number, actor: string): Promise<Post> {
    const post = await this.postById(postId);
    nextStatus(post.status, "approve", post.id);
    const campaign = await this.campaignById(post.campaignId);
    await this.requireSecondApprover(campaign.guildId, post, actor);
    // The campaign's rules may have changed since the post was queued (a disclosure tag set, the
    // campaign marked adult): a post that breaks them now is not approved, it is edited first.
    await this.checkContent(
      campaign,
      post.text,
      post.affiliateLink?.trackedUrl ?? null,
      post.scheduledAt,
      post,
    );
    const now = this.deps.clock.now();
    return this.move(postId, "approve", actor, () => ({
      approval: { by: actor, at: now, decision: "approved", reason: null },
    }));
  }

  /**
   * With `requireSecondApprover` on, whoever wrote the words X would receive (queued the post, or
   * last edited it) cannot also be the one who approves them.
   */
  private async requireSecondApprover(guildId: string, post: Post, actor: string): Promise<void> {
    if (actor !== post.createdBy && actor !== post.editedBy) return;
    if (!(await this.deps.settings.get(guildId)).requireSecondApprover) return;
    const what = actor === post.editedBy ? "last edited" : "queued";
    throw new DomainError(
      "forbidden",
      `You ${what} post #${post.id}, and this server requires a second approver: another member with the approver role approves it.`,
    );
  }

  async reject(postId: number, actor: string, reason: string): Promise<Post> {
    const trimmed = reason.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_REASON_LENGTH) {
      throw new DomainError(
        "invalid_input",
        `Give a reason for the rejection (1 to ${MAX_REASON_LENGTH} characters) so the author can fix the post.`,
      );
    }
    const now = this.deps.clock.now();
    const { notices } = this.deps;
    return this.move(
      postId,
      "reject",
      actor,
      () => ({ approval: { by: actor, at: now, decision: "rejected", reason: trimmed } }),
      { reason: trimmed },
      (recorded) => [...notices.changed(recorded), ...notices.rejected(recorded)],
    );
  }

  async edit(postId: number, actor: string, changes: PostEdit): Promise<Post> {
    const changed = (["text", "link", "media"] as const).filter(
      (part) => changes[part] !== undefined,
    );
    if (changed.length === 0) {
      throw new DomainError(
        "invalid_input",
        "Nothing to change: give the new text, link or media (or press Edit on the post's approval message).",
      );
    }
    const post = await this.postById(postId);
    const to = nextStatus(post.status, "edit", post.id);
    const campaign = await this.campaignById(post.campaignId);
    const text = (changes.text ?? post.text).trim();
    const link = changes.link === undefined ? undefined : affiliateLinkFor(campaign, changes.link);
    await this.checkContent(
      campaign,
      text,
      link === undefined ? (post.affiliateLink?.trackedUrl ?? null) : trackedLinkFor(link, post.id),
      post.scheduledAt,
      post,
    );
    // An edit needs a fresh approval: nobody has approved the new text yet.
    const edited = await this.deps.posts.edit(
      post.id,
      post.status,
      {
        status: to,
        approval: null,
        editedBy: actor,
        ...(changes.text === undefined ? {} : { text }),
        ...(changes.media === undefined ? {} : { media: changes.media }),
      },
      link,
      {
        actor,
        action: "post.edit",
        payload: {
          from: post.status,
          to,
          changed,
          ...(changes.text === undefined ? {} : { previousText: post.text }),
          ...(link === undefined
            ? {}
            : { previousLink: post.affiliateLink?.originalUrl ?? null, link: link.originalUrl }),
          ...(changes.media === undefined ? {} : { previousMedia: post.media }),
        },
      },
      // Waiting for approval again: shown in the approval channel (its message brought up to
      // date where it is there already).
      (recorded) => this.deps.notices.waiting(recorded),
    );
    this.deps.onChange?.(edited);
    return edited;
  }

  async reschedule(postId: number, actor: string, at: string): Promise<Post> {
    const post = await this.postById(postId);
    nextStatus(post.status, "reschedule", post.id);
    const campaign = await this.campaignById(post.campaignId);
    const scheduledAt = await this.resolveTime(campaign, at);
    return this.move(postId, "reschedule", actor, () => ({ scheduledAt }), {
      from: post.scheduledAt.toISOString(),
      to: scheduledAt.toISOString(),
    });
  }

  cancel(postId: number, actor: string): Promise<Post> {
    return this.move(postId, "cancel", actor, () => ({}));
  }

  /**
   * The team asks again after a failure: back to approved, due now, with fresh attempts. The first
   * attempt's instant stays, so the runner looks on X's timeline (from then) before posting.
   */
  retry(postId: number, actor: string): Promise<Post> {
    const now = this.deps.clock.now();
    return this.move(postId, "retry", actor, () => ({
      attempts: 0,
      nextAttemptAt: null,
      scheduledAt: now,
      approval: { by: actor, at: now, decision: "approved", reason: null },
    }));
  }

  list(filter: PostFilter): Promise<Post[]> {
    return this.deps.posts.list(filter);
  }

  count(filter: PostCountFilter): Promise<number> {
    return this.deps.posts.count(filter);
  }

  async get(postId: number): Promise<Post> {
    return this.postById(postId);
  }

  private async move(
    postId: number,
    event: PostEvent,
    actor: string,
    changes: () => Omit<Parameters<PostRepository["transition"]>[2], "status">,
    payload: Record<string, unknown> = {},
    notices: PostNotices = (recorded) => this.deps.notices.changed(recorded),
  ): Promise<Post> {
    const post = await this.postById(postId);
    const to = nextStatus(post.status, event, post.id);
    const moved = await this.deps.posts.transition(
      post.id,
      post.status,
      { ...changes(), status: to },
      { actor, action: `post.${event}`, payload: { from: post.status, to, ...payload } },
      notices,
    );
    this.deps.onChange?.(moved);
    return moved;
  }

  private async checkContent(
    campaign: Campaign,
    text: string,
    trackedUrl: string | null,
    scheduledAt: Date,
    own?: Pick<Post, "id" | "experimentVariantId">,
  ): Promise<void> {
    // The window is around this post's own time, not around the moment it is queued: a text
    // scheduled for next month is reserved next month. Every account of the team counts.
    const window =
      own?.experimentVariantId == null ? DUPLICATE_WINDOW_MS : SAME_ACCOUNT_DUPLICATE_MS;
    const recent = await this.deps.posts.textsNear(campaign.guildId, {
      from: new Date(scheduledAt.getTime() - window),
      to: new Date(scheduledAt.getTime() + window),
      excludePostId: own?.id,
    });
    checkPostContent({
      text: text.trim(),
      trackedUrl,
      adult: campaign.adult,
      disclosureTag: campaign.disclosureTag,
      recentTeamTexts: recent,
    });
  }

  private async resolveTime(campaign: Campaign, at: string | undefined): Promise<Date> {
    const now = this.deps.clock.now();
    const request = parsePostTime(at, campaign.timezone, now);
    switch (request.kind) {
      case "now":
        return now;
      case "at":
        return request.instant;
      case "next": {
        const taken = await this.deps.posts.takenSlots(campaign.id, now);
        return nextFreeSlot(campaign.schedule, campaign.timezone, now, taken);
      }
    }
  }

  private async campaignById(id: number): Promise<Campaign> {
    const campaign = await this.deps.campaigns.findById(id);
    if (campaign === null) {
      throw new DomainError("campaign_not_found", `Campaign #${id} no longer exists.`);
    }
    return campaign;
  }

  private async postById(id: number): Promise<Post> {
    const post = await this.deps.posts.findById(id);
    if (post === null) {
      throw new DomainError(
        "post_not_found",
        `There is no post #${id}. /post list shows the queued posts.`,
      );
    }
    return post;
  }
}
