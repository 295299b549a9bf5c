import { describe, expect, it } from "vitest";
import { type LibraryItem, planFill } from "../../src/domain/autopilot-plan.ts";
import { RecentTexts } from "../../src/domain/content-policy.ts";
import { slotsUntil } from "../../src/domain/schedule.ts";

const ZONE = "Europe/Berlin";
const DAY_MS = 86_400_000;

function item(id: number, text: string, overrides: Partial<LibraryItem> = {}): LibraryItem {
  return {
    id,
    text,
    evergreen: true,
    expiresOn: null,
    maxUses: null,
    uses: 0,
    lastUsedAt: null,
    clicks: 0,
    impressions: 0,
    ...overrides,
  };
}

function slots(days: number, times = ["09:00", "15:00", "21:00"]): Date[] {
  const after = new Date("2026-03-02T00:00:00Z");
  return slotsUntil(
    { days: "daily", times },
    ZONE,
    after,
    new Date(after.getTime() + days * DAY_MS),
  );
}

const first = () => 0;

describe("planning which item fills each autopilot slot", () => {
  it("given items never used, fills slots oldest item first and uses each once per repeat window", () => {
    const plan = planFill({
      slots: slots(1),
      items: [item(1, "Pour-over basics"), item(2, "Grinder care"), item(3, "Kettle tips")],
      timeZone: ZONE,
      minRepeatDays: 14,
      recentTexts: new RecentTexts(),
      pick: first,
    });
    expect(plan.posts.map((post) => post.itemId)).toEqual([1, 2, 3]);
    expect(plan.empty).toEqual([]);
  });

  it("given more slots than items in the repeat window, leaves the rest empty and says why", () => {
    const plan = planFill({
      slots: slots(2),
      items: [item(1, "Trail snacks"), item(2, "Boot fitting")],
      timeZone: ZONE,
      minRepeatDays: 14,
      recentTexts: new RecentTexts(),
      pick: first,
    });
    expect(plan.posts).toHaveLength(2);
    expect(plan.empty).toHaveLength(4);
    expect(new Set(plan.empty.map((slot) => slot.reason))).toEqual(new Set(["nothing_usable"]));
  });

  it("given an item used 13 days before a slot with a 14-day rule, skips it; at 14 days uses it", () => {
    const [slot] = slots(1);
    const at = (days: number) => new Date((slot as Date).getTime() - days * DAY_MS);
    const plan = (days: number) =>
      planFill({
        slots: [slot as Date],
        items: [item(1, "Map reading", { uses: 1, lastUsedAt: at(days) })],
        timeZone: ZONE,
        minRepeatDays: 14,
        recentTexts: new RecentTexts(),
        pick: first,
      });
    expect(plan(13).posts).toEqual([]);
    expect(plan(14).posts.map((post) => post.itemId)).toEqual([1]);
  });

  it("never uses a single-use item twice, an exhausted item, or one past its expiry day", () => {
    const plan = planFill({
      slots: slots(3),
      items: [
        item(1, "Launch week reading list", { evergreen: false }),
        item(2, "Used up", { maxUses: 2, uses: 2 }),
        item(3, "Spring sale", { expiresOn: "2026-03-02" }),
        item(4, "Already used once", { evergreen: false, uses: 1 }),
      ],
      timeZone: ZONE,
      minRepeatDays: 1,
      recentTexts: new RecentTexts(),
      pick: first,
    });
    expect(plan.posts.map((post) => post.itemId)).toEqual([1, 3]);
    // The expired item fits only on its last local day, 2026-03-02.
    expect(plan.posts[1]?.slotAt.toISOString().slice(0, 10)).toBe("2026-03-02");
  });

  it("ranks the least recently used first and, between equals, the better measured click rate", () => {
    const plan = planFill({
      slots: slots(1).slice(0, 2),
      items: [
        item(1, "Low rate", { clicks: 1, impressions: 1000 }),
        item(2, "High rate", { clicks: 50, impressions: 1000 }),
        item(3, "Unmeasured rate", { clicks: 9, impressions: 10 }),
      ],
      timeZone: ZONE,
      minRepeatDays: 14,
      recentTexts: new RecentTexts(),
      pick: first,
    });
    expect(plan.posts.map((post) => post.itemId)).toEqual([2, 1]);
  });

  it("given items last used in the same repeat window, offers the better measured click rate first, even if used more recently", () => {
    const [slot] = slots(1);
    const daysBefore = (days: number) => new Date((slot as Date).getTime() - days * DAY_MS);
    const plan = planFill({
      slots: [slot as Date],
      items: [
        item(1, "Older, few clicks", { lastUsedAt: daysBefore(20), clicks: 2, impressions: 1000 }),
        item(2, "Newer, many clicks", {
          lastUsedAt: daysBefore(16),
          clicks: 60,
          impressions: 1000,
        }),
        item(3, "Long ago", { lastUsedAt: daysBefore(40), clicks: 0, impressions: 1000 }),
      ],
      timeZone: ZONE,
      minRepeatDays: 14,
      recentTexts: new RecentTexts(),
      pick: first,
    });
    // Item 3 was used two windows ago: the library cycles first. Between 1 and 2, same window:
    // the click rate decides, so a second slot would get item 2.
    expect(plan.posts.map((post) => post.itemId)).toEqual([3]);
    const next = planFill({
      slots: [slot as Date],
      items: [
        item(1, "Older, few clicks", { lastUsedAt: daysBefore(20), clicks: 2, impressions: 1000 }),
        item(2, "Newer, many clicks", {
          lastUsedAt: daysBefore(16),
          clicks: 60,
          impressions: 1000,
        }),
      ],
      timeZone: ZONE,
      minRepeatDays: 14,
      recentTexts: new RecentTexts(),
      pick: first,
    });
    expect(next.posts.map((post) => post.itemId)).toEqual([2]);
  });

  it("expands to a text no account of the team used recently, and never plans one text twice", () => {
    const recent = new RecentTexts(["fresh  BEANS today"]);
    const plan = planFill({
      slots: slots(1),
      items: [item(1, "{Fresh|Roasted} beans today")],
      timeZone: ZONE,
      minRepeatDays: 0,
      recentTexts: recent,
      pick: first,
    });
    expect(plan.posts.map((post) => post.text)).toEqual(["Roasted beans today"]);
    expect(plan.empty.map((slot) => slot.reason)).toEqual(["texts_used_up", "texts_used_up"]);
  });

  it("given an empty library, every slot is empty for that reason", () => {
    const plan = planFill({
      slots: slots(1),
      items: [],
      timeZone: ZONE,
      minRepeatDays: 14,
      recentTexts: new RecentTexts(),
      pick: first,
    });
    expect(plan.empty.map((slot) => slot.reason)).toEqual([
      "empty_library",
      "empty_library",
      "empty_library",
    ]);
  });
});
