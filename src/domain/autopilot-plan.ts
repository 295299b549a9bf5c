/**
 * Which library item and which text fill each free slot of an autopilot campaign (design.md
 * section 12). Pure: the caller gathers the items, their use and the team's recent texts, and
 * stores the plan; a unique AutopilotSlot row, not this code, makes a slot fill at most once.
 */
import { localDate } from "./analytics.ts";
import { normaliseForDuplicate } from "./content-policy.ts";
import { enumerateVariants, parseSpintax } from "./spintax.ts";

const DAY_MS = 86_400_000;

/** How far back no account of the team may have published (or scheduled) the same text. */
export const UNIQUE_TEXT_DAYS = 30;

/** Impressions a measured click rate needs before it ranks an item above an unmeasured one. */
export const RANKED_IMPRESSIONS = 100;

/** What the planner needs of a ContentItem. */
export interface LibraryItem {
  id: number;
  text: string;
  evergreen: boolean;
  /** Last local day (YYYY-MM-DD, in the campaign's time zone) the item may be used on. */
  expiresOn: string | null;
  maxUses: number | null;
  uses: number;
  /** The slot instant of the item's latest post. */
  lastUsedAt: Date | null;
  /** Herald's human clicks and X's impressions over the item's posts. */
  clicks: number;
  impressions: number;
}

export interface FillRequest {
  /** Free slots to fill, in order. */
  slots: readonly Date[];
  items: readonly LibraryItem[];
  timeZone: string;
  minRepeatDays: number;
  /**
   * Normalised texts (normaliseForDuplicate) the team's accounts published or have scheduled
   * within UNIQUE_TEXT_DAYS of the slots.
   */
  recentTexts: ReadonlySet<string>;
  /** Chooses among `n` fresh expansions (0 ≤ result < n): seeded in tests, random in service. */
  pick: (n: number) => number;
  /** The content policy's word on one expansion (campaign rules may have changed since saving). */
  admits?: (text: string, item: LibraryItem) => boolean;
}

export interface PlannedPost {
  slotAt: Date;
  itemId: number;
  text: string;
}

/** Why no item fits a slot, for the "running dry" notice (what would fix it). */
export type DryReason =
  /** The campaign has no items. */
  | "empty_library"
  /** Every item is expired, spent (single use, max_uses) or used within min_repeat_days. */
  | "nothing_usable"
  /** Every expansion of the usable items was published or scheduled by the team in 30 days. */
  | "texts_used_up";

export interface FillPlan {
  posts: PlannedPost[];
  empty: { slotAt: Date; reason: DryReason }[];
}

/** Whether the item may ever be used again, whatever the slot: not exhausted, not spent. */
function usable(item: LibraryItem): boolean {
  if (!item.evergreen && item.uses > 0) return false;
  return item.maxUses === null || item.uses < item.maxUses;
}

function freshAt(item: LibraryItem, slotAt: Date, timeZone: string, minRepeatDays: number) {
  if (item.expiresOn !== null && localDate(slotAt, timeZone) > item.expiresOn) return false;
  if (item.lastUsedAt === null) return true;
  return Math.abs(slotAt.getTime() - item.lastUsedAt.getTime()) >= minRepeatDays * DAY_MS;
}

/** Clicks per impression once measured enough; unmeasured items rank as 0. */
function clickRate(item: LibraryItem): number {
  return item.impressions >= RANKED_IMPRESSIONS ? item.clicks / item.impressions : 0;
}

/** Least recently used first (never used before all); ties: the better click rate, then the older item. */
export function byFillPreference(a: LibraryItem, b: LibraryItem): number {
  const used = (item: LibraryItem) => item.lastUsedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  return used(a) - used(b) || clickRate(b) - clickRate(a) || a.id - b.id;
}

/** The item's expansions that no account of the team used recently, in a stable order. */
function freshTexts(item: LibraryItem, recentTexts: ReadonlySet<string>): string[] {
  return enumerateVariants(parseSpintax(item.text)).filter(
    (text) => !recentTexts.has(normaliseForDuplicate(text)),
  );
}

/**
 * Fills the slots in order. Each chosen item counts as used at its slot before the next slot is
 * planned, so one run never gives two slots within `minRepeatDays` the same item, nor two posts
 * the same text.
 */
export function planFill(request: FillRequest): FillPlan {
  const items = new Map(request.items.map((item) => [item.id, { ...item }]));
  const recent = new Set(request.recentTexts);
  const plan: FillPlan = { posts: [], empty: [] };
  for (const slotAt of request.slots) {
    const candidates = [...items.values()]
      .filter(usable)
      .filter((item) => freshAt(item, slotAt, request.timeZone, request.minRepeatDays))
      .sort(byFillPreference);
    let chosen: { item: LibraryItem; text: string } | undefined;
    for (const item of candidates) {
      const texts = freshTexts(item, recent).filter((text) => request.admits?.(text, item) ?? true);
      if (texts.length === 0) continue;
      const text = texts[request.pick(texts.length)];
      if (text === undefined) throw new RangeError("pick returned a text that does not exist");
      chosen = { item, text };
      break;
    }
    if (chosen === undefined) {
      plan.empty.push({ slotAt, reason: dryReason(items.size, candidates.length) });
      continue;
    }
    const { item, text } = chosen;
    item.uses += 1;
    item.lastUsedAt = slotAt;
    recent.add(normaliseForDuplicate(text));
    plan.posts.push({ slotAt, itemId: item.id, text });
  }
  return plan;
}

function dryReason(itemCount: number, candidateCount: number): DryReason {
  if (itemCount === 0) return "empty_library";
  return candidateCount === 0 ? "nothing_usable" : "texts_used_up";
}
