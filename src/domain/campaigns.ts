import { validateAffiliateUrl } from "./affiliate-link.ts";
import type { AuditNote } from "./audit.ts";
import { DomainError } from "./errors.ts";
import type { CampaignRepository, PageWindow } from "./ports.ts";
import { assertTimeZone, parseSchedule, type Schedule } from "./schedule.ts";

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
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewCampaign = Omit<Campaign, "id" | "status" | "createdAt" | "updatedAt">;

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

const MAX_NAME_LENGTH = 80;
const MAX_NICHE_LENGTH = 40;

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
  campaigns: CampaignRepository,
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
    /** Told after a status change, so the runner picks up (or drops) the campaign's posts. */
    private readonly onChange: () => void = () => {},
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

  archive(guildId: string, name: string, actor: string): Promise<Campaign> {
    return this.move(guildId, name, "archive", actor);
  }

  private async move(
    guildId: string,
    name: string,
    event: CampaignEvent,
    actor: string,
  ): Promise<Campaign> {
    const campaign = await this.get(guildId, name);
    const to = nextCampaignStatus(campaign, event);
    const audit: AuditNote = {
      actor,
      action: `campaign.${to}`,
      payload: { from: campaign.status, to },
    };
    const moved = await this.campaigns.changeStatus(campaign.id, campaign.status, to, audit);
    this.onChange();
    return moved;
  }
}
