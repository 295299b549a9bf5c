import { beforeEach, describe, expect, it } from "vitest";
import type { Campaign } from "../../src/domain/campaigns.ts";
import { type ContentItem, isUsable } from "../../src/domain/content-items.ts";
import { ContentLibrary } from "../../src/domain/content-library.ts";
import { DomainError } from "../../src/domain/errors.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import {
  InMemoryCampaigns,
  InMemoryContentItems,
  testCampaign,
} from "../support/in-memory-content.ts";

const GUILD = "guild-1";
const MANAGER = "discord:2";

let campaigns: InMemoryCampaigns;
let items: InMemoryContentItems;
let library: ContentLibrary;
let changed: number[];

function setUp(...list: Campaign[]): void {
  campaigns = new InMemoryCampaigns(list);
  items = new InMemoryContentItems(campaigns);
  changed = [];
  library = new ContentLibrary({
    campaigns,
    items,
    clock: new FixedClock(new Date("2026-06-01T08:00:00Z")),
    onChange: (id) => changed.push(id),
  });
}

beforeEach(() =>
  setUp(
    testCampaign(),
    testCampaign({ id: 2, name: "Hiking Boots", slug: "hiking-boots", adult: true }),
    testCampaign({ id: 3, name: "Book Club", slug: "book-club", disclosureTag: "#ad" }),
    testCampaign({ id: 4, guildId: "guild-2", name: "Elsewhere", slug: "elsewhere" }),
    testCampaign({ id: 5, name: "Old Mugs", slug: "old-mugs", status: "archived" }),
  ),
);

async function refusalOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${error}`);
  return error;
}

const add = (text: string, extra: Record<string, unknown> = {}, campaign = "Coffee Gear") =>
  library.add(GUILD, campaign, { text, ...extra }, MANAGER);

describe("adding an item", () => {
  it("given spintax, a link and tags, stores the item as typed with normalised tags, counts its variants and tells autopilot", async () => {
    const { item, check } = await add(
      "  {Fresh|Freshly} ground {beans|coffee} every morning {link}  ",
      {
        link: "https://shop.example.com/grinder",
        tags: "Grinders, #Morning grinders",
        expiresOn: "2026-12-31",
        maxUses: 5,
      },
    );
    expect(item).toMatchObject({
      campaignId: 1,
      text: "{Fresh|Freshly} ground {beans|coffee} every morning {link}",
      link: "https://shop.example.com/grinder",
      tags: ["grinders", "morning"],
      evergreen: true,
      expiresOn: "2026-12-31",
      maxUses: 5,
      uses: 0,
      createdBy: MANAGER,
    });
    // "Freshly ground coffee every morning " + a URL of 23.
    expect(check).toEqual({ variants: 4, longestWeightedLength: 36 + 23 });
    expect(items.audit.map((note) => note.action)).toEqual(["content_item.added"]);
    expect(changed).toEqual([1]);
  });

  it("given one variant over X's limit, refuses the item naming that variant, and stores nothing", async () => {
    // 252 + " text" + "\n" + the campaign's link (23) = 281.
    const refusal = await refusalOf(add(`{Short|${"b".repeat(252)}} text`));
    expect(refusal.code).toBe("content_too_long");
    expect(refusal.message).toMatch(/^Variant 2 of 2 \("b{79}…"\) is refused: The post is 281 /);
    expect(refusal.details).toMatchObject({ variant: 2, weightedLength: 281 });
    expect(items.items).toEqual([]);
    expect(changed).toEqual([]);
  });

  it("given {link}, counts it as one URL of 23 wherever it stands, and refuses it when no link exists", async () => {
    const fits = `${"c".repeat(280 - 23 - 1)} {link}`;
    await expect(add(fits)).resolves.toMatchObject({ check: { longestWeightedLength: 280 } });
    expect((await refusalOf(add(`c${fits}`))).code).toBe("content_too_long");
    setUp(testCampaign({ defaultLink: null }));
    const refusal = await refusalOf(add("Grind fresh {link}"));
    expect(refusal.code).toBe("invalid_input");
    expect(refusal.message).toContain("{link}");
  });

  it("given an adult campaign, refuses the item when any variant suggests minors, naming the variant", async () => {
    const refusal = await refusalOf(
      add("Boots for {adults|t e e n s|everyone} on the trail", {}, "Hiking Boots"),
    );
    expect(refusal.code).toBe("content_refused");
    expect(refusal.message).toMatch(/^Variant 2 of 3 \("Boots for t e e n s on the trail"\)/);
    await expect(add("Boots for {adults|everyone}", {}, "Hiking Boots")).resolves.toBeDefined();
  });

  it("given a campaign that requires #ad, refuses the item when a variant lacks the tag", async () => {
    const refusal = await refusalOf(add("A {great read #ad|great read}", {}, "Book Club"));
    expect(refusal.code).toBe("disclosure_missing");
    expect(refusal.message).toMatch(/^Variant 2 of 2 \("A great read"\)/);
    await expect(add("A {great|good} read #ad", {}, "Book Club")).resolves.toBeDefined();
  });

  it.each([
    ["{Great|Fine gear", "at character 1: this { is never closed"],
    ["Great} gear", "at character 6: this } closes no group"],
    ["Price \\$5", "at character 7: a backslash escapes only"],
    ["{a|{b|{c|{d|{e|{f|g}}}}}}", "at character 16: groups nest at most 5 deep"],
  ])("given malformed spintax %j, refuses it with the position", async (text, where) => {
    const refusal = await refusalOf(add(text));
    expect(refusal.code).toBe("invalid_input");
    expect(refusal.message).toContain(where);
  });

  it("given a text standing for more than 1,000 variants, refuses it with the count", async () => {
    const refusal = await refusalOf(add("{a|b|c|d|e|f|g|h|i|j}".repeat(4)));
    expect(refusal.message).toContain("10,000 variants");
  });

  it("given the text of an item the campaign has, in other case and spacing, refuses it naming that item", async () => {
    const { item } = await add("Pour over, step by step");
    const refusal = await refusalOf(add("pour  over, STEP by step"));
    expect(refusal.code).toBe("content_duplicate");
    expect(refusal.message).toContain(`Item #${item.id}`);
    // Another campaign may have the same text.
    await expect(add("Pour over, step by step #ad", {}, "Book Club")).resolves.toBeDefined();
  });

  it.each([
    [{ expiresOn: "2026-05-31" }, "has passed (today is 2026-06-01"],
    [{ expiresOn: "2026-02-30" }, "is not a date"],
    [{ maxUses: 0 }, "max_uses must be a whole number from 1"],
    [{ tags: "cold brew!" }, 'The tag "brew!" is not usable'],
    [{ link: "javascript:alert(1)" }, "must start with https://"],
  ])("given %j, refuses it and stores nothing", async (extra, message) => {
    const refusal = await refusalOf(add("Cold brew at home", extra));
    expect(refusal.message).toContain(message);
    expect(items.items).toEqual([]);
  });

  it("given an archived campaign or another guild's, refuses the item", async () => {
    expect((await refusalOf(add("Mugs", {}, "Old Mugs"))).code).toBe("campaign_state");
    expect((await refusalOf(add("Mugs", {}, "Elsewhere"))).code).toBe("campaign_not_found");
  });
});

describe("editing, showing and removing", () => {
  let item: ContentItem;
  beforeEach(async () => {
    ({ item } = await add("{Light|Warm} layers for {spring|autumn} hikes", { tags: "layers" }));
  });

  it("changes only what was given, clears with none and 0, and records what it was", async () => {
    await library.edit(GUILD, item.id, { maxUses: 3, expiresOn: "2026-07-01" }, MANAGER);
    const { item: edited } = await library.edit(
      GUILD,
      item.id,
      { tags: "none", maxUses: 0, evergreen: false, link: "https://shop.example.com/layers" },
      MANAGER,
    );
    expect(edited).toMatchObject({
      text: item.text,
      tags: [],
      maxUses: null,
      expiresOn: "2026-07-01",
      evergreen: false,
      link: "https://shop.example.com/layers",
    });
    expect(items.audit.at(-1)).toMatchObject({
      action: "content_item.edited",
      payload: { previous: { tags: ["layers"], maxUses: 3, evergreen: true, link: null } },
    });
    const { item: cleared } = await library.edit(GUILD, item.id, { link: "NONE" }, MANAGER);
    expect(cleared.link).toBeNull();
  });

  it("given a new text with a variant that is too long, refuses the edit and keeps the item", async () => {
    const refusal = await refusalOf(
      library.edit(GUILD, item.id, { text: `{ok|${"x".repeat(300)}}` }, MANAGER),
    );
    expect(refusal.message).toMatch(/^Variant 2 of 2/);
    expect((await items.findById(item.id))?.text).toBe(item.text);
  });

  it("given nothing to change, refuses the edit", async () => {
    expect((await refusalOf(library.edit(GUILD, item.id, {}, MANAGER))).message).toMatch(
      /^Nothing to change/,
    );
  });

  it("given an item of another guild, answers as if it did not exist", async () => {
    setUp(testCampaign({ guildId: "guild-2" }));
    const { item: theirs } = await library.add(
      "guild-2",
      "Coffee Gear",
      { text: "Beans" },
      MANAGER,
    );
    for (const attempt of [
      library.describe(GUILD, theirs.id),
      library.edit(GUILD, theirs.id, { text: "Mine now" }, MANAGER),
      library.remove(GUILD, theirs.id, MANAGER),
    ]) {
      expect((await refusalOf(attempt)).code).toBe("item_not_found");
    }
    expect(items.items).toHaveLength(1);
  });

  it("shows an item's variants, and why it fails when the campaign's rules changed since", async () => {
    expect((await library.describe(GUILD, item.id)).check).toEqual({
      variants: 4,
      longestWeightedLength: "Light layers for autumn hikes".length + 1 + 23,
    });
    campaigns.campaigns[0] = { ...testCampaign(), disclosureTag: "#ad" };
    const { check } = await library.describe(GUILD, item.id);
    expect(check).toEqual({ problem: expect.stringMatching(/^Variant 1 of 4 .*#ad/) });
  });

  it("removes an item once, with an audit note", async () => {
    await library.remove(GUILD, item.id, MANAGER);
    expect(items.items).toEqual([]);
    expect((await refusalOf(library.remove(GUILD, item.id, MANAGER))).code).toBe("item_not_found");
    expect(items.audit.map((note) => note.action)).toEqual([
      "content_item.added",
      "content_item.removed",
    ]);
  });
});

describe("what autopilot takes from an item", () => {
  const base = {
    text: "{Light|Warm} layers",
    evergreen: true,
    expiresOn: null,
    maxUses: null,
    uses: 0,
  } as ContentItem;

  it("uses an item up to its expiry day and maximum, and a single-use item once", () => {
    expect(isUsable({ ...base, expiresOn: "2026-06-01" }, "2026-06-01")).toBe(true);
    expect(isUsable({ ...base, expiresOn: "2026-06-01" }, "2026-06-02")).toBe(false);
    expect(isUsable({ ...base, maxUses: 2, uses: 1 }, "2026-06-01")).toBe(true);
    expect(isUsable({ ...base, maxUses: 2, uses: 2 }, "2026-06-01")).toBe(false);
    expect(isUsable({ ...base, evergreen: false, uses: 1 }, "2026-06-01")).toBe(false);
    expect(isUsable({ ...base, evergreen: false }, "2026-06-01")).toBe(true);
  });
});
