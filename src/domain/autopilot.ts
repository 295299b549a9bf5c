/**
 * Autopilot (design.md section 12): fills each free slot of a campaign within `days_ahead` with a
 * post pending approval, made from the campaign's library. Nothing it makes is published before
 * an approver approves it; a slot whose post is not approved by its time stays empty.
 */
import { localDate, localTime } from "./analytics.ts";
import { type PlannedPost, planFill } from "./autopilot-plan.ts";
import type { AutopilotNotices, AutopilotStore, SlotFill } from "./autopilot-ports.ts";
import { type Campaign, requireCampaign } from "./campaigns.ts";
import { DUPLICATE_WINDOW_DAYS, policyRefusal, RecentTexts } from "./content-policy.ts";
import { DomainError, isDomainError } from "./errors.ts";
import type { ApprovalNotices } from "./notices.ts";
import type { CampaignRepository, Clock } from "./ports.ts";
import { affiliateLinkFor, type Post, previewLinkUrl } from "./posts.ts";
import { slotsUntil } from "./schedule.ts";
import type { SettingsRepository } from "./settings.ts";

const DAY_MS = 86_400_000;

/** The author of autopilot's posts, in audit events and on approval messages. */
export const AUTOPILOT_ACTOR = "autopilot";

export const AUTOPILOT_LIMITS = {
  daysAhead: { min: 1, max: 14, default: 3 },
  minRepeatDays: { min: 0, max: 365, default: 14 },
} as const;

export interface CampaignFill {
  campaignId: number;
  created: Post[];
  /** Free slots of the next 24 hours the library could not fill. */
  emptyTomorrow: number;
}

/** What `/campaign autopilot` sets; options not given keep their value. */
export interface AutopilotSettingsInput {
  enabled: boolean;
  daysAhead?: number | undefined;
  minRepeatDays?: number | undefined;
}

function checkedSetting(
  name: "days_ahead" | "min_repeat_days",
  value: number | undefined,
  limits: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < limits.min || value > limits.max) {
    throw new DomainError(
      "invalid_input",
      `${name} is ${value}; give a whole number from ${limits.min} to ${limits.max}.`,
    );
  }
  return value;
}

export class AutopilotService {
  constructor(
    private readonly deps: {
      campaigns: CampaignRepository;
      store: AutopilotStore;
      notices: AutopilotNotices;
      /** Each post's own approval message, written with the post. */
      approvalNotices: Pick<ApprovalNotices, "waiting">;
      clock: Clock;
      /** A fair source in [0, 1): which fresh expansion a slot gets. */
      random?: () => number;
      /** The guild's report time and time zone: when the morning digest goes out. */
      settings: Pick<SettingsRepository, "get">;
      /** PostService's approval, with its rules (second approver, content policy). */
      approve: (postId: number, actor: string) => Promise<Post>;
      /** Told after a campaign's settings changed, so the fill job runs soon. */
      onConfigured?: () => void;
    },
  ) {}

  /** Turns autopilot on or off for a campaign and sets how far ahead and how often it repeats. */
  async configure(
    guildId: string,
    name: string,
    input: AutopilotSettingsInput,
    actor: string,
  ): Promise<Campaign> {
    const daysAhead = checkedSetting("days_ahead", input.daysAhead, AUTOPILOT_LIMITS.daysAhead);
    const minRepeatDays = checkedSetting(
      "min_repeat_days",
      input.minRepeatDays,
      AUTOPILOT_LIMITS.minRepeatDays,
    );
    const before = await requireCampaign(this.deps.campaigns, guildId, name);
    if (before.status === "archived") {
      throw new DomainError(
        "campaign_state",
        `Campaign "${before.name}" is archived; archived campaigns cannot be changed.`,
      );
    }
    const changes = {
      autopilotEnabled: input.enabled,
      ...(daysAhead === undefined ? {} : { autopilotDaysAhead: daysAhead }),
      ...(minRepeatDays === undefined ? {} : { autopilotMinRepeatDays: minRepeatDays }),
    };
    const { campaign } = await this.deps.campaigns.update(before.id, changes, {
      actor,
      action: "campaign.autopilot",
      payload: {
        from: {
          enabled: before.autopilotEnabled,
          daysAhead: before.autopilotDaysAhead,
          minRepeatDays: before.autopilotMinRepeatDays,
        },
        to: changes,
      },
    });
    this.deps.onConfigured?.();
    return campaign;
  }

  /** Fills every enabled campaign; one campaign failing does not stop the others. */
  async fillAll(): Promise<{
    fills: CampaignFill[];
    failed: { campaignId: number; error: unknown }[];
  }> {
    const fills: CampaignFill[] = [];
    const failed: { campaignId: number; error: unknown }[] = [];
    // The team's texts are read once per guild for the whole run, not once per campaign, and
    // each campaign's new posts join them before the next campaign is planned.
    const guildTexts = new Map<string, RecentTexts>();
    for (const campaign of await this.deps.store.enabledCampaigns()) {
      try {
        fills.push(await this.fill(campaign, guildTexts));
      } catch (error) {
        failed.push({ campaignId: campaign.id, error });
      }
    }
    return { fills, failed };
  }

  async fill(
    campaign: Campaign,
    guildTexts = new Map<string, RecentTexts>(),
  ): Promise<CampaignFill> {
    const { store } = this.deps;
    const now = this.deps.clock.now();
    const until = new Date(now.getTime() + campaign.autopilotDaysAhead * DAY_MS);
    const taken = new Set(
      (await store.takenSlots(campaign.id, now, until)).map((slot) => slot.getTime()),
    );
    const free = slotsUntil(campaign.schedule, campaign.timezone, now, until).filter(
      (slot) => !taken.has(slot.getTime()),
    );
    // The usual hourly run: every slot in reach is filled, so the library need not be read.
    if (free.length === 0) return { campaignId: campaign.id, created: [], emptyTomorrow: 0 };
    const items = await store.library(campaign.id);
    let recent = guildTexts.get(campaign.guildId);
    if (recent === undefined) {
      // Wide enough for any campaign's days_ahead, so one read serves the guild's campaigns.
      const reach = (AUTOPILOT_LIMITS.daysAhead.max + DUPLICATE_WINDOW_DAYS) * DAY_MS;
      recent = new RecentTexts(
        await store.guildTexts(
          campaign.guildId,
          new Date(now.getTime() - DUPLICATE_WINDOW_DAYS * DAY_MS),
          new Date(now.getTime() + reach),
        ),
      );
      guildTexts.set(campaign.guildId, recent);
    }
    const links = new Map(items.map((item) => [item.id, item.link]));
    const random = this.deps.random ?? Math.random;
    const plan = planFill({
      slots: free,
      items,
      timeZone: campaign.timezone,
      minRepeatDays: campaign.autopilotMinRepeatDays,
      recentTexts: recent,
      pick: (n) => Math.floor(random() * n),
      admits: (text, item) => admitted(campaign, text, links.get(item.id) ?? null),
    });

    const created = await store.fillSlots(
      plan.posts.map((planned) => this.slotFill(campaign, planned, links.get(planned.itemId))),
    );
    if (created.length > 0) {
      await store.recordDigest(
        campaign,
        created.map((post) => post.id),
        (digestId) => this.deps.notices.digest(campaign, created, digestId),
      );
    }

    const tomorrow = now.getTime() + DAY_MS;
    const emptyTomorrow = plan.empty.filter((slot) => slot.slotAt.getTime() <= tomorrow);
    if (emptyTomorrow.length > 0) {
      const reasons = [...new Set(emptyTomorrow.map((slot) => slot.reason))];
      await store.claimDryNotice(
        campaign.id,
        localDate(now, campaign.timezone),
        this.deps.notices.dry(campaign, emptyTomorrow.length, reasons),
      );
    }
    return { campaignId: campaign.id, created, emptyTomorrow: emptyTomorrow.length };
  }

  private slotFill(
    campaign: Campaign,
    planned: PlannedPost,
    link: string | null | undefined,
  ): SlotFill {
    const originalUrl = link ?? campaign.defaultLink;
    return {
      campaignId: campaign.id,
      guildId: campaign.guildId,
      slotAt: planned.slotAt,
      slotDate: localDate(planned.slotAt, campaign.timezone),
      itemId: planned.itemId,
      minRepeatDays: campaign.autopilotMinRepeatDays,
      post: {
        campaignId: campaign.id,
        text: planned.text,
        media: [],
        scheduledAt: planned.slotAt,
        status: "pending_approval",
        createdBy: AUTOPILOT_ACTOR,
        link: originalUrl === null ? null : affiliateLinkFor(campaign, originalUrl),
        contentItemId: planned.itemId,
      },
      audit: {
        actor: AUTOPILOT_ACTOR,
        action: "post.queued",
        payload: { scheduledAt: planned.slotAt.toISOString(), contentItemId: planned.itemId },
      },
      notices: (recorded) => this.deps.approvalNotices.waiting(recorded),
    };
  }

  /**
   * Each morning, once the guild's report time has passed in its time zone: one digest per
   * campaign of autopilot's posts for the next 24 hours still waiting for approval.
   */
  async morningDigests(): Promise<number> {
    const now = this.deps.clock.now();
    let written = 0;
    for (const campaign of await this.deps.store.enabledCampaigns()) {
      const settings = await this.deps.settings.get(campaign.guildId);
      if (localTime(now, settings.timezone) < settings.reportTime) continue;
      const waiting = await this.deps.store.waitingPosts(
        campaign.id,
        now,
        new Date(now.getTime() + DAY_MS),
      );
      if (waiting.length === 0) continue;
      const digestId = await this.deps.store.recordDigest(
        campaign,
        waiting.map((post) => post.id),
        (id) => this.deps.notices.digest(campaign, waiting, id),
        localDate(now, settings.timezone),
      );
      if (digestId !== null) written += 1;
    }
    return written;
  }

  /** The posts a digest listed, in its order; refused for a digest of another guild. */
  async digestPostIds(digestId: number, guildId: string): Promise<number[]> {
    const digest = await this.deps.store.digest(digestId);
    if (digest === null || digest.guildId !== guildId) {
      throw new DomainError("post_not_found", "This list of autopilot posts no longer exists.");
    }
    return digest.postIds;
  }

  /**
   * "Approve all" on a digest: approves exactly the posts it listed, each by PostService's rules;
   * a post approved, edited or rejected since is left as it is and reported.
   */
  async approveDigest(
    digestId: number,
    guildId: string,
    actor: string,
  ): Promise<{ approved: Post[]; skipped: { postId: number; reason: string }[] }> {
    const approved: Post[] = [];
    const skipped: { postId: number; reason: string }[] = [];
    for (const postId of await this.digestPostIds(digestId, guildId)) {
      try {
        approved.push(await this.deps.approve(postId, actor));
      } catch (error) {
        if (!isDomainError(error)) throw error;
        skipped.push({ postId, reason: error.message });
      }
    }
    return { approved, skipped };
  }
}

/** Whether the campaign's current rules accept an expansion as a post with its link. */
function admitted(campaign: Campaign, text: string, itemLink: string | null): boolean {
  const refusal = policyRefusal({
    text,
    trackedUrl: previewLinkUrl(campaign, itemLink ?? campaign.defaultLink),
    adult: campaign.adult,
    disclosureTag: campaign.disclosureTag,
    recentTeamTexts: [],
  });
  return refusal === null;
}
