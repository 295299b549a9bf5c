import { DateTime } from "luxon";
import { validateAffiliateUrl } from "./affiliate-link.ts";
import type { AuditNote } from "./audit.ts";
import type { Campaign } from "./campaigns.ts";
import { checkPostContent } from "./content-policy.ts";
import { DomainError, isDomainError } from "./errors.ts";
import { countVariants, enumerateVariants, MAX_VARIANTS, parseSpintax } from "./spintax.ts";

/** A text in a campaign's content library (design.md section 12). */
export interface ContentItem {
  id: number;
  campaignId: number;
  /** Spintax and the {link} placeholder, as typed. */
  text: string;
  /** The item's own affiliate link; null: the campaign's. */
  link: string | null;
  /** Stored file paths (uploaded with /content add) or http(s) URLs (from a CSV's media_url). */
  media: string[];
  tags: string[];
  /** Recycled; otherwise used once. */
  evergreen: boolean;
  /** Local date (campaign time zone), YYYY-MM-DD: the last day the item may be used. */
  expiresOn: string | null;
  maxUses: number | null;
  uses: number;
  lastUsedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewContentItem = Pick<
  ContentItem,
  | "campaignId"
  | "text"
  | "link"
  | "media"
  | "tags"
  | "evergreen"
  | "expiresOn"
  | "maxUses"
  | "createdBy"
>;

/** What an edit may change. */
export type ContentItemChanges = Partial<
  Pick<ContentItem, "text" | "link" | "media" | "tags" | "evergreen" | "expiresOn" | "maxUses">
>;

export interface ContentItemFilter {
  guildId: string;
  campaignId?: number | undefined;
  /** Items carrying this (normalised) tag. */
  tag?: string | undefined;
  /** Items whose text contains this, for autocomplete. */
  search?: string | undefined;
  /** Only the item with this number, for autocomplete by number. */
  id?: number | undefined;
  offset?: number | undefined;
  limit: number;
}

export type ContentItemCountFilter = Omit<ContentItemFilter, "limit" | "offset">;

/** What the posts made from an item earned, from their latest metrics snapshots. */
export interface ItemPerformance {
  impressions: number;
  /** X's link clicks. */
  clicks: number;
}

export interface ContentItemRepository {
  create(item: NewContentItem, audit: AuditNote): Promise<ContentItem>;
  findById(id: number): Promise<ContentItem | null>;
  /** Newest first (highest id): a stable order for pages. */
  list(filter: ContentItemFilter): Promise<ContentItem[]>;
  count(filter: ContentItemCountFilter): Promise<number>;
  /** Every item of the campaign, oldest first (export, and duplicate texts at import). */
  allOf(campaignId: number): Promise<ContentItem[]>;
  /** Refuses with `item_not_found` when the item is gone. */
  update(id: number, changes: ContentItemChanges, audit: AuditNote): Promise<ContentItem>;
  /** Deletes the item (its posts keep their text); null when it was already gone. */
  remove(id: number, audit: AuditNote): Promise<ContentItem | null>;
  /** Impressions and clicks of the campaign's items' published posts, by item id. */
  performance(campaignId: number): Promise<Map<number, ItemPerformance>>;
}

/** Longest text a person may give an item, before expansion (a Discord form's paragraph). */
export const MAX_ITEM_TEXT = 4000;
const MAX_TAGS = 10;
const MAX_TAG_LENGTH = 30;
/** X takes at most four images per post. */
export const MAX_ITEM_MEDIA = 4;
export const MAX_USES_LIMIT = 100_000;

export function itemNotFound(id: number): DomainError {
  return new DomainError(
    "item_not_found",
    `There is no library item #${id}. /content list shows a campaign's items.`,
  );
}

/** The item's text as stored: trimmed, at most MAX_ITEM_TEXT characters. */
export function normaliseItemText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    throw new DomainError("invalid_input", "The item's text is empty. Write the text to post.");
  }
  if (trimmed.length > MAX_ITEM_TEXT) {
    throw new DomainError(
      "invalid_input",
      `The item's text is ${trimmed.length} characters; keep it to ${MAX_ITEM_TEXT} (spintax included).`,
    );
  }
  return trimmed;
}

/**
 * A word of letters and digits, with hyphens inside: "cold-brew", "v60". No "_" or "%": those are
 * LIKE wildcards, and /content list finds a tag with a LIKE on the stored JSON list.
 */
export const TAG = /^[\p{L}\p{N}][\p{L}\p{N}-]*$/u;

/** "Coffee, #Grinders espresso" → ["coffee", "grinders", "espresso"]. */
export function parseTags(input: string): string[] {
  const tags = [
    ...new Set(
      input
        .split(/[\s,;]+/u)
        .map((tag) => tag.replace(/^#+/u, "").normalize("NFKC").toLowerCase())
        .filter((tag) => tag.length > 0),
    ),
  ];
  const bad = tags.find((tag) => tag.length > MAX_TAG_LENGTH || !TAG.test(tag));
  if (bad !== undefined) {
    throw new DomainError(
      "invalid_input",
      `The tag "${bad.slice(0, 40)}" is not usable: tags are single words of letters and digits (hyphens inside), at most ${MAX_TAG_LENGTH} characters.`,
    );
  }
  if (tags.length > MAX_TAGS) {
    throw new DomainError("invalid_input", `Give at most ${MAX_TAGS} tags (${tags.length} given).`);
  }
  return tags;
}

/** The one tag /content list filters by. */
export function parseTagFilter(input: string): string {
  const [tag, ...more] = parseTags(input);
  if (tag === undefined || more.length > 0) {
    throw new DomainError("invalid_input", "Filter by one tag, e.g. tag: grinders.");
  }
  return tag;
}

/** The item's own link, checked like any affiliate link. */
export function parseItemLink(input: string): string {
  return validateAffiliateUrl(input).href;
}

/** A media URL from a CSV file: http(s), at most 2,048 characters. */
export function parseMediaUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new DomainError("invalid_input", `The media URL "${input.slice(0, 60)}" is not a URL.`);
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.href.length > 2048) {
    throw new DomainError(
      "invalid_input",
      `The media URL "${input.slice(0, 60)}" must be an http(s) address of at most 2,048 characters.`,
    );
  }
  return url.href;
}

/** The campaign's local date today, YYYY-MM-DD. */
export function localToday(campaign: Pick<Campaign, "timezone">, now: Date): string {
  return DateTime.fromJSDate(now, { zone: campaign.timezone }).toISODate() ?? "";
}

/** A YYYY-MM-DD date that exists and has not passed in the campaign's time zone. */
export function parseExpiresOn(input: string, today: string): string {
  const trimmed = input.trim();
  const date = DateTime.fromFormat(trimmed, "yyyy-MM-dd", { zone: "UTC" });
  if (!date.isValid) {
    throw new DomainError(
      "invalid_input",
      `expires_on "${trimmed.slice(0, 20)}" is not a date; write it as YYYY-MM-DD, e.g. 2027-03-31.`,
    );
  }
  if (trimmed < today) {
    throw new DomainError(
      "invalid_input",
      `expires_on ${trimmed} has passed (today is ${today} in the campaign's time zone).`,
    );
  }
  return trimmed;
}

export function parseMaxUses(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_USES_LIMIT) {
    throw new DomainError(
      "invalid_input",
      `max_uses must be a whole number from 1 to ${MAX_USES_LIMIT.toLocaleString("en-US")}.`,
    );
  }
  return value;
}

/** What an item's text checks against: the campaign's rules and the link its posts carry. */
export interface ItemRules {
  adult: boolean;
  disclosureTag: string | null;
  /** The item's link or the campaign's; null when posts from the item carry none. */
  link: string | null;
}

export function itemRules(campaign: Campaign, itemLink: string | null): ItemRules {
  return {
    adult: campaign.adult,
    disclosureTag: campaign.disclosureTag,
    link: itemLink ?? campaign.defaultLink,
  };
}

/** What checking an item's text found: how many variants, and the longest as X counts it. */
export interface ItemCheck {
  variants: number;
  longestWeightedLength: number;
}

/** Parses a template and returns every variant, refusing one that stands for too many. */
export function variantsOf(template: string): string[] {
  const sequence = parseSpintax(template);
  const count = countVariants(sequence);
  if (count > MAX_VARIANTS) {
    throw new DomainError(
      "invalid_input",
      `The text stands for ${count > 1e9 ? "over a billion" : count.toLocaleString("en-US")} variants; Herald checks every one and takes at most ${MAX_VARIANTS.toLocaleString("en-US")}. Use fewer or smaller groups.`,
      { variants: count },
    );
  }
  return enumerateVariants(sequence);
}

/**
 * Checks every variant of an item's text with the content policy (X's weighted length with the
 * link counted, the adult-campaign guard, the disclosure tag), so an item that could ever make a
 * refused post is refused when it is saved, naming the variant that fails.
 */
export function checkItemText(template: string, rules: ItemRules): ItemCheck {
  const variants = variantsOf(template);
  let longest = 0;
  variants.forEach((variant, index) => {
    try {
      const { weightedLength } = checkPostContent({
        text: variant.trim(),
        trackedUrl: rules.link,
        adult: rules.adult,
        disclosureTag: rules.disclosureTag,
        // Which variant a post gets is decided when it is made, against the team's posts then.
        recentTeamTexts: [],
      });
      longest = Math.max(longest, weightedLength);
    } catch (error) {
      if (!isDomainError(error) || variants.length === 1) throw error;
      throw new DomainError(
        error.code,
        `Variant ${index + 1} of ${variants.length} ("${excerpt(variant)}") is refused: ${error.message}`,
        { ...error.details, variant: index + 1 },
      );
    }
  });
  return { variants: variants.length, longestWeightedLength: longest };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/gu, " ").trim();
  return flat.length <= 80 ? flat : `${flat.slice(0, 79)}…`;
}

/**
 * Whether autopilot may use the item on the campaign's local date `today`: not expired, not at
 * its maximum uses, and a single-use item not used yet.
 */
export function isUsable(
  item: Pick<ContentItem, "expiresOn" | "maxUses" | "uses" | "evergreen">,
  today: string,
): boolean {
  if (item.expiresOn !== null && item.expiresOn < today) return false;
  if (item.maxUses !== null && item.uses >= item.maxUses) return false;
  return item.evergreen || item.uses === 0;
}
