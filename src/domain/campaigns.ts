import { validateAffiliateUrl } from "./affiliate-link.ts";
import type { AuditNote } from "./audit.ts";
import { policyRefusal } from "./content-policy.ts";
import { DomainError, isDomainError } from "./errors.ts";
import type { ApprovalNotices, TeamNotices } from "./notices.ts";
import type { CampaignRepository, PageWindow, PostRepository, PostSweep } from "./ports.ts";
import { canTransition, POST_STATUSES } from "./post-lifecycle.ts";
import type { Post } from "./posts.ts";
import { assertTimeZone, parseSchedule, type Schedule } from "./schedule.ts";
import { CLICK_PARAM_PATTERN } from "./tracked-links.ts";

export const CAMPAIGN_STATUSES = ["active", "paused", "archived"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface Campaign {
  id: number;
  guildId: string;
  name: string;
  slug: string;
  niche: string;
  xAccountId: number | null;
  timezone: string;
  schedule: Schedule;
  status: CampaignStatus;
  adult: boolean;
  defaultLink: string | null;
  epc: number;
  paidPartnership: boolean;
  disclosureTag: string | null;
  /** Links go out as Herald's /r/<code> redirects; null: on when HERALD_PUBLIC_URL is set. */
  tracking: boolean | null;
  /** The query parameter the click id is sent to the network in (design.md section 13). */
  clickParam: string;
  /** Autopilot (design.md section 12): off by default; see src/domain/autopilot.ts. */
  autopilotEnabled: boolean;
  autopilotDaysAhead: number;
  autopilotMinRepeatDays: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A new campaign; tracking starts as the deployment's default and the click param as subid. */
export type NewCampaign = Omit<
  Campaign,
  | "id"
  | "status"
  | "createdAt"
  | "updatedAt"
  | "tracking"
  | "clickParam"
  | "autopilotEnabled"
  | "autopilotDaysAhead"
  | "autopilotMinRepeatDays"
>;

/** What `/campaign create` collects, still as the user typed it. */
export interface CreateCampaignInput {
  guildId: string;
  name: string;
  niche: string;
  times: string;
  days?: string | undefined;
  timezone: string;
  link?: string | undefined;
  adult?: boolean | undefined;
  epc?: number | undefined;
  xAccountId?: number | null | undefined;
  disclosureTag?: string | undefined;
  paidPartnership?: boolean | undefined;
}

/** What `/campaign edit` collects: only the options the member gave, as typed. */
export type EditCampaignInput = {
  [Field in Exclude<keyof CreateCampaignInput, "guildId">]?: CreateCampaignInput[Field] | undefined;
} & { tracking?: boolean | undefined; clickParam?: string | undefined };

/** The fields a campaign edit may change. */
export type CampaignChanges = Partial<
  Pick<
    Campaign,
    | "name"
    | "slug"
    | "niche"
    | "xAccountId"
    | "timezone"
    | "schedule"
    | "adult"
    | "defaultLink"
    | "epc"
    | "paidPartnership"
    | "disclosureTag"
    | "tracking"
    | "clickParam"
    | "autopilotEnabled"
    | "autopilotDaysAhead"
    | "autopilotMinRepeatDays"
  >
>;

const MAX_NAME_LENGTH = 80;
const MAX_NICHE_LENGTH = 40;
const MAX_DISCLOSURE_TAG_LENGTH = 30;
/** Typed as the link or disclosure tag of `/campaign edit`, removes it. */
export const CLEAR_VALUE = "none";

export function normaliseCampaignName(input: string): string {
  const name = input.normalize("NFKC").replace(/\s+/g, " ").trim();
  if (name.length === 0) {
    throw new DomainError("invalid_input", "Give the campaign a name.");
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new DomainError(
      "invalid_input",
      `The campaign name is ${name.length} characters; keep it to ${MAX_NAME_LENGTH}.`,
    );
  }
  return name;
}

/** URL- and UTM-safe identifier derived from the name: "Summer Gadgets 2026" → "summer-gadgets-2026". */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/\p{Mn}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length === 0) {
    throw new DomainError(
      "invalid_input",
      `The name "${name}" has no letters or digits; use a name with at least one.`,
    );
  }
  return slug;
}

/**
 * The key a typed campaign name is matched by: its slug, so case and spacing do not matter
 * ("desk  LAMPS" finds "Desk Lamps"). Null for a name no campaign can have.
 */
export function nameKey(typed: string): string | null {
  try {
    return slugify(normaliseCampaignName(typed));
  } catch (error) {
    if (isDomainError(error)) return null;
    throw error;
  }
}

/**
 * The campaign a typed name means, among `campaigns`, as CampaignRepository.findByName picks it:
 * the live one, else the newest archived one.
 */
export function campaignNamed(campaigns: readonly Campaign[], typed: string): Campaign | undefined {
  const key = nameKey(typed);
  const named = campaigns.filter((campaign) => key !== null && campaign.slug === key);
  return (
    named.find((campaign) => campaign.status !== "archived") ?? named.sort((a, b) => b.id - a.id)[0]
  );
}

/** Niches are free labels; one spelling per label keeps reports grouped ("Home  Office" = "home office"). */
export function normaliseNiche(input: string): string {
  const niche = input.normalize("NFKC").replace(/\s+/g, " ").trim().toLowerCase();
  if (niche.length === 0) {
    throw new DomainError("invalid_input", "Give the campaign a niche label, e.g. gadgets.");
  }
  if (niche.length > MAX_NICHE_LENGTH) {
    throw new DomainError(
      "invalid_input",
      `The niche label is ${niche.length} characters; keep it to ${MAX_NICHE_LENGTH}.`,
    );
  }
  return niche;
}

function validateEpc(epc: number | undefined): number {
  if (epc === undefined) return 0;
  if (!Number.isFinite(epc) || epc < 0 || epc > 10_000) {
    throw new DomainError(
      "invalid_input",
      "EPC (earnings per click) must be a number between 0 and 10000.",
    );
  }
  return epc;
}

function validateDisclosureTag(tag: string | undefined): string | null {
  const trimmed = tag?.trim();
  if (trimmed === undefined || trimmed === "") return null;
  const word = trimmed.replace(/^#/, "");
  if ([...word].length > MAX_DISCLOSURE_TAG_LENGTH) {
    throw new DomainError(
      "invalid_input",
      `The disclosure tag is ${[...word].length} characters; keep it to ${MAX_DISCLOSURE_TAG_LENGTH}, e.g. #ad.`,
    );
  }
  if (!/^#?[\p{L}\p{N}_]{1,30}$/u.test(trimmed)) {
    throw new DomainError(
      "invalid_input",
      `The disclosure tag "${trimmed}" must be one word such as #ad.`,
    );
  }
  return trimmed.startsWith("#") ? trimmed : `#${trimmed}`;
}

/** Validates everything the user typed; nothing is written when this throws. */
export function prepareCampaign(input: CreateCampaignInput, createdBy: string): NewCampaign {
  const name = normaliseCampaignName(input.name);
  return {
    guildId: input.guildId,
    name,
    slug: slugify(name),
    niche: normaliseNiche(input.niche),
    xAccountId: input.xAccountId ?? null,
    timezone: assertTimeZone(input.timezone),
    schedule: parseSchedule({ times: input.times, days: input.days }),
    adult: input.adult ?? false,
    defaultLink: input.link === undefined ? null : validateAffiliateUrl(input.link).href,
    epc: validateEpc(input.epc),
    paidPartnership: input.paidPartnership ?? true,
    disclosureTag: validateDisclosureTag(input.disclosureTag),
    createdBy,
  };
}

function daysText(schedule: Schedule): string {
  return schedule.days === "daily" ? "daily" : schedule.days.join(",");
}

/**
 * Validates what `/campaign edit` was given, with the rules of create, and keeps what differs
 * from the campaign as it is. Refuses an edit that gives nothing, or nothing new.
 */
export function prepareCampaignChanges(
  campaign: Campaign,
  input: EditCampaignInput,
): CampaignChanges {
  const wanted: CampaignChanges = {};
  if (input.name !== undefined) {
    wanted.name = normaliseCampaignName(input.name);
    wanted.slug = slugify(wanted.name);
  }
  if (input.niche !== undefined) wanted.niche = normaliseNiche(input.niche);
  if (input.times !== undefined || input.days !== undefined) {
    // Either part alone keeps the other as it is.
    wanted.schedule = parseSchedule({
      times: input.times ?? campaign.schedule.times.join(","),
      days: input.days ?? daysText(campaign.schedule),
    });
  }
  if (input.timezone !== undefined) wanted.timezone = assertTimeZone(input.timezone);
  if (input.link !== undefined) {
    wanted.defaultLink = isClear(input.link) ? null : validateAffiliateUrl(input.link).href;
  }
  if (input.adult !== undefined) wanted.adult = input.adult;
  if (input.epc !== undefined) wanted.epc = validateEpc(input.epc);
  if (input.xAccountId !== undefined) wanted.xAccountId = input.xAccountId;
  if (input.disclosureTag !== undefined) {
    wanted.disclosureTag = isClear(input.disclosureTag)
      ? null
      : validateDisclosureTag(input.disclosureTag);
  }
  if (input.paidPartnership !== undefined) wanted.paidPartnership = input.paidPartnership;
  if (input.tracking !== undefined) wanted.tracking = input.tracking;
  if (input.clickParam !== undefined) wanted.clickParam = validateClickParam(input.clickParam);
  if (Object.keys(wanted).length === 0) {
    throw new DomainError(
      "invalid_input",
      "Nothing to change: give at least one option besides the campaign.",
    );
  }
  const changes = Object.fromEntries(
    Object.entries(wanted).filter(
      ([field, value]) =>
        JSON.stringify(campaign[field as keyof CampaignChanges]) !== JSON.stringify(value),
    ),
  ) as CampaignChanges;
  if (Object.keys(changes).length === 0) {
    throw new DomainError(
      "invalid_input",
      `Nothing to change: campaign "${campaign.name}" already has these settings.`,
    );
  }
  return changes;
}

function validateClickParam(input: string): string {
  const param = input.trim();
  if (!CLICK_PARAM_PATTERN.test(param)) {
    throw new DomainError(
      "invalid_input",
      `"${param.slice(0, 40)}" is not a click-id parameter: use the name your network gives, letters, digits and _ only, such as subid, sid, clickref or aff_sub.`,
    );
  }
  return param;
}

function isClear(value: string): boolean {
  return value.trim().toLowerCase() === CLEAR_VALUE;
}

/**
 * The changes that alter what X receives for a post that is already approved, so an approver
 * must look at it again: the account it goes out from, the sensitive-media mark, the link,
 * the disclosure tag its text must carry, the paid-promotion label.
 */
export const REAPPROVAL_FIELDS = [
  "xAccountId",
  "adult",
  "defaultLink",
  "disclosureTag",
  "paidPartnership",
] as const satisfies readonly (keyof CampaignChanges)[];
export type ReapprovalField = (typeof REAPPROVAL_FIELDS)[number];

export function reapprovalFields(changes: CampaignChanges): ReapprovalField[] {
  return REAPPROVAL_FIELDS.filter((field) => field in changes);
}

/** Posts archiving cancels: every post not yet finished that the lifecycle lets be cancelled. */
export const CANCELLED_BY_ARCHIVE = POST_STATUSES.filter((status) =>
  canTransition(status, "cancel"),
);

/** What an edit did, for the member's reply and the approval channel's summary. */
export interface CampaignEdit {
  campaign: Campaign;
  /** Why approved posts went back to approval; empty when none had to. */
  reapprovalBecause: ReapprovalField[];
  sentBack: Post[];
  /** Of `sentBack`, those that break the campaign's content rules now and need an edit. */
  breakingRules: Post[];
}

function campaignEdit(
  campaign: Campaign,
  reapprovalBecause: ReapprovalField[],
  sentBack: readonly Post[],
): CampaignEdit {
  return {
    campaign,
    reapprovalBecause,
    sentBack: [...sentBack],
    breakingRules: sentBack.filter((post) => !passesRules(campaign, post)),
  };
}

/** Whether the post's text still passes the content policy under the campaign's (new) rules. */
function passesRules(campaign: Campaign, post: Post): boolean {
  const refusal = policyRefusal({
    text: post.text,
    trackedUrl: post.affiliateLink?.trackedUrl ?? null,
    adult: campaign.adult,
    disclosureTag: campaign.disclosureTag,
    // Duplicates are about the text, which the campaign edit did not change.
    recentTeamTexts: [],
  });
  return refusal === null;
}

type CampaignEvent = "pause" | "resume" | "archive";

const CAMPAIGN_TRANSITIONS: Readonly<
  Record<CampaignEvent, Partial<Record<CampaignStatus, CampaignStatus>>>
> = {
  pause: { active: "paused" },
  resume: { paused: "active" },
  archive: { active: "archived", paused: "archived" },
};

export function nextCampaignStatus(campaign: Campaign, event: CampaignEvent): CampaignStatus {
  const to = CAMPAIGN_TRANSITIONS[event][campaign.status];
  if (to === undefined) {
    throw new DomainError(
      "campaign_state",
      `Campaign "${campaign.name}" is ${campaign.status}, so it cannot be ${event === "pause" ? "paused" : event === "resume" ? "resumed" : "archived"}.`,
      { status: campaign.status, event },
    );
  }
  return to;
}

export async function requireCampaign(
  campaigns: Pick<CampaignRepository, "findByName">,
  guildId: string,
  name: string,
): Promise<Campaign> {
  const campaign = await campaigns.findByName(guildId, name.trim());
  if (campaign === null) {
    throw new DomainError(
      "campaign_not_found",
      `There is no campaign called "${name.trim()}". /campaign list shows them all.`,
    );
  }
  return campaign;
}

export class CampaignService {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly posts: Pick<PostRepository, "countInCampaign">,
    private readonly deps: {
      /** What the team is told of posts a change moves, written with the change. */
      notices: {
        approvals: Pick<ApprovalNotices, "changed">;
        team: Pick<TeamNotices, "reapproval">;
      };
      /**
       * Told after a change, once committed: the runner picks up (or drops) the campaign's
       * posts, the outbox delivers the messages.
       */
      onChange?: () => void;
    },
  ) {}

  async create(input: CreateCampaignInput, actor: string): Promise<Campaign> {
    const campaign = prepareCampaign(input, actor);
    return this.campaigns.create(campaign, {
      actor,
      action: "campaign.created",
      payload: { name: campaign.name, niche: campaign.niche },
    });
  }

  get(guildId: string, name: string): Promise<Campaign> {
    return requireCampaign(this.campaigns, guildId, name);
  }

  list(guildId: string, window?: PageWindow): Promise<Campaign[]> {
    return this.campaigns.list(guildId, window);
  }

  count(guildId: string): Promise<number> {
    return this.campaigns.count(guildId);
  }

  /** Null when no campaign has this id (any more). */
  findById(id: number): Promise<Campaign | null> {
    return this.campaigns.findById(id);
  }

  async getById(id: number): Promise<Campaign> {
    const campaign = await this.campaigns.findById(id);
    if (campaign === null) {
      throw new DomainError("campaign_not_found", `Campaign #${id} no longer exists.`);
    }
    return campaign;
  }

  pause(guildId: string, name: string, actor: string): Promise<Campaign> {
    return this.move(guildId, name, "pause", actor);
  }

  resume(guildId: string, name: string, actor: string): Promise<Campaign> {
    return this.move(guildId, name, "resume", actor);
  }

  /**
   * Changes what `/campaign edit` was given. When the change alters what X would receive, the
   * campaign's approved posts go back to approval in the same transaction (their approval
   * cleared). Posting times only steer future slot choices: queued posts keep theirs.
   */
  async edit(
    guildId: string,
    name: string,
    input: EditCampaignInput,
    actor: string,
  ): Promise<CampaignEdit> {
    const before = await this.get(guildId, name);
    if (before.status === "archived") {
      throw new DomainError(
        "campaign_state",
        `Campaign "${before.name}" is archived; archived campaigns cannot be changed.`,
      );
    }
    const changes = prepareCampaignChanges(before, input);
    const reapprovalBecause = reapprovalFields(changes);
    const { notices } = this.deps;
    const sweep: PostSweep | undefined =
      reapprovalBecause.length === 0
        ? undefined
        : {
            statuses: ["approved"],
            event: "edit",
            changes: { approval: null },
            audit: { actor, action: "post.edit", payload: { because: reapprovalBecause } },
            // Their approval messages show the buttons again, and one message says how many and why.
            notices: (recorded) => notices.approvals.changed(recorded),
            summary: (campaign, sentBack) =>
              sentBack.length === 0
                ? []
                : notices.team.reapproval(campaignEdit(campaign, reapprovalBecause, sentBack)),
          };
    const audit: AuditNote = {
      actor,
      action: "campaign.edited",
      payload: {
        changes: Object.fromEntries(
          Object.entries(changes).map(([field, to]) => [
            field,
            { from: before[field as keyof CampaignChanges], to },
          ]),
        ),
      },
    };
    const { campaign, posts } = await this.campaigns.update(before.id, changes, audit, sweep);
    this.deps.onChange?.();
    return campaignEdit(campaign, reapprovalBecause, posts);
  }

  /** What archiving would do, before the member confirms: the campaign and its waiting posts. */
  async archivePreview(
    guildId: string,
    name: string,
  ): Promise<{ campaign: Campaign; waiting: number }> {
    const campaign = await this.get(guildId, name);
    nextCampaignStatus(campaign, "archive");
    const waiting = await this.posts.countInCampaign(campaign.id, CANCELLED_BY_ARCHIVE);
    return { campaign, waiting };
  }

  /**
   * Archives the campaign and cancels its waiting posts in one transaction; its name is free
   * for a new campaign afterwards. A post being published right now finishes.
   */
  async archive(
    guildId: string,
    campaignId: number,
    actor: string,
  ): Promise<{ campaign: Campaign; cancelled: Post[] }> {
    const campaign = await this.getById(campaignId);
    // The id comes from a button, so it is checked against the guild it was pressed in.
    if (campaign.guildId !== guildId) {
      throw new DomainError("campaign_not_found", `Campaign #${campaignId} no longer exists.`);
    }
    if (campaign.status === "archived") {
      throw new DomainError(
        "campaign_state",
        `Campaign "${campaign.name}" is already archived; nothing changed.`,
      );
    }
    const { campaign: archived, posts } = await this.transition(campaign, "archive", actor, {
      statuses: CANCELLED_BY_ARCHIVE,
      event: "cancel",
      changes: {},
      audit: { actor, action: "post.cancel", payload: { because: "campaign.archived" } },
      notices: (recorded) => this.deps.notices.approvals.changed(recorded),
    });
    return { campaign: archived, cancelled: posts };
  }

  private async move(
    guildId: string,
    name: string,
    event: CampaignEvent,
    actor: string,
  ): Promise<Campaign> {
    const { campaign } = await this.transition(await this.get(guildId, name), event, actor);
    return campaign;
  }

  private async transition(
    campaign: Campaign,
    event: CampaignEvent,
    actor: string,
    sweep?: PostSweep,
  ) {
    const to = nextCampaignStatus(campaign, event);
    const audit: AuditNote = {
      actor,
      action: `campaign.${to}`,
      payload: { from: campaign.status, to },
    };
    const moved = await this.campaigns.changeStatus(campaign.id, campaign.status, to, audit, sweep);
    this.deps.onChange?.();
    return moved;
  }
}
