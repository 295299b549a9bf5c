/**
 * Which library item and which text fill each free slot of an autopilot campaign (design.md
 * section 12). Pure: the caller gathers the items, their use and the team's recent texts, and
 * stores the plan; a unique AutopilotSlot row, not this code, makes a slot fill at most once.
 */
import { isUsable, variantsOf } from "./content-items.ts";
import type { RecentTexts } from "./content-policy.ts";

const DAY_MS = 86_400_000;

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
   * Texts the team's accounts published or have scheduled within DUPLICATE_WINDOW_DAYS of the
   * slots; the planned texts are added to it, so one set serves a guild's campaigns in turn.
   */
  recentTexts: RecentTexts;
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

/**
 * Usable at the slot (on its local date): not expired, not spent, not used within the window.
 * The plan asks it, and the store again under its lock.
 */
export function usableAt(
  item: Pick<LibraryItem, "evergreen" | "expiresOn" | "maxUses" | "uses" | "lastUsedAt">,
  slotAt: Date,
  slotDate: string,
  minRepeatDays: number,
): boolean {
  if (!isUsable(item, slotDate)) return false;
  if (item.lastUsedAt === null) return true;
  return Math.abs(slotAt.getTime() - item.lastUsedAt.getTime()) >= minRepeatDays * DAY_MS;
}

/** Clicks per impression once measured enough; unmeasured items rank as 0. */
function clickRate(item: LibraryItem): number {
  return item.impressions >= RANKED_IMPRESSIONS ? item.clicks / item.impressions : 0;
}

/**
 * The order items are offered in: least recently used first, counted in repeat windows
 * (`minRepeatDays`) back from `reference`, so items last used in the same window are equals and
 * the better measured click rate goes first among them (autopilot prefers what works, yet cycles
 * through the library); then the older item. Never-used items come before all.
 */
export function fillPreference(minRepeatDays: number, reference: Date) {
  const windowMs = Math.max(minRepeatDays, 1) * DAY_MS;
  const windowsAgo = (item: LibraryItem) =>
    item.lastUsedAt === null
      ? Number.POSITIVE_INFINITY
      : Math.floor((reference.getTime() - item.lastUsedAt.getTime()) / windowMs);
  return (a: LibraryItem, b: LibraryItem): number =>
    windowsAgo(b) - windowsAgo(a) || clickRate(b) - clickRate(a) || a.id - b.id;
}

/**
 * Fills the slots in order. Each chosen item counts as used at its slot before the next slot is
 * planned, so one run never gives two slots within `minRepeatDays` the same item, nor two posts
 * the same text. The library is sorted once and a used item moved to its new place, and each
 * item's variants and the policy's word on each text are worked out once: a fill of 70 slots from
 * 1,000 items stays linear in both.
 */
export function planFill(request: FillRequest): FillPlan {
  const preference = fillPreference(request.minRepeatDays, request.slots[0] ?? new Date(0));
  const ranked = request.items.map((item) => ({ ...item })).sort(preference);
  const recent = request.recentTexts;
  const localDay = new Intl.DateTimeFormat("en-CA", {
    timeZone: request.timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  const variants = new Map<number, string[]>();
  const admitted = new Map<string, boolean>();
  const textsOf = (item: LibraryItem) => {
    let texts = variants.get(item.id);
    if (texts === undefined) {
      texts = variantsOf(item.text).map((variant) => variant.trim());
      variants.set(item.id, texts);
    }
    return texts.filter((text) => {
      if (recent.has(text)) return false;
      const key = `${item.id}\u0000${text}`;
      let ok = admitted.get(key);
      if (ok === undefined) {
        ok = request.admits?.(text, item) ?? true;
        admitted.set(key, ok);
      }
      return ok;
    });
  };
  const plan: FillPlan = { posts: [], empty: [] };
  for (const slotAt of request.slots) {
    // en-CA writes dates as YYYY-MM-DD; one formatter for the zone, not one per slot and item.
    const slotDate = localDay.format(slotAt);
    const usable = (item: LibraryItem) => usableAt(item, slotAt, slotDate, request.minRepeatDays);
    let chosen: { index: number; text: string } | undefined;
    for (const [index, item] of ranked.entries()) {
      if (!usable(item)) continue;
      const texts = textsOf(item);
      if (texts.length === 0) continue;
      const text = texts[request.pick(texts.length)];
      if (text === undefined) throw new RangeError("pick returned a text that does not exist");
      chosen = { index, text };
      break;
    }
    if (chosen === undefined) {
      plan.empty.push({ slotAt, reason: dryReason(ranked.length, ranked.some(usable)) });
      continue;
    }
    const [item] = ranked.splice(chosen.index, 1) as [LibraryItem];
    item.uses += 1;
    item.lastUsedAt = slotAt;
    ranked.splice(insertionPoint(ranked, item, preference), 0, item);
    recent.add(chosen.text);
    plan.posts.push({ slotAt, itemId: item.id, text: chosen.text });
  }
  return plan;
}

/** Where `item` goes in the ranked list to keep it in fill order (binary search). */
function insertionPoint(
  ranked: readonly LibraryItem[],
  item: LibraryItem,
  preference: (a: LibraryItem, b: LibraryItem) => number,
): number {
  let low = 0;
  let high = ranked.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (preference(ranked[middle] as LibraryItem, item) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function dryReason(itemCount: number, anyUsable: boolean): DryReason {
  if (itemCount === 0) return "empty_library";
  return anyUsable ? "texts_used_up" : "nothing_usable";
}
