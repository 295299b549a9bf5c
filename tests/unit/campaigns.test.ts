import { describe, expect, it } from "vitest";
import {
  CANCELLED_BY_ARCHIVE,
  type Campaign,
  campaignNamed,
  nextCampaignStatus,
  normaliseCampaignName,
  normaliseNiche,
  prepareCampaign,
  prepareCampaignChanges,
  reapprovalFields,
  slugify,
} from "../../src/domain/campaigns.ts";
import { DomainError } from "../../src/domain/errors.ts";

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

const input = {
  guildId: "222222222222222222",
  name: "Summer Gadgets",
  niche: "Gadgets",
  times: "09:00,21:00",
  timezone: "europe/berlin",
};

describe("campaign rules", () => {
  it.each([
    ["Summer Gadgets 2026", "summer-gadgets-2026"],
    ["  Café & Crème  ", "cafe-creme"],
    ["Ünïcödé—Déals!!", "unicode-deals"],
    ["Garten 🌱 Tipps", "garten-tipps"],
  ])("slugify(%j) is %j", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it("refuses a name with no letters or digits, since it has no slug", () => {
    expect(refusal(() => slugify("🌱🌱")).code).toBe("invalid_input");
  });

  it("collapses whitespace in names and refuses empty or overlong ones", () => {
    expect(normaliseCampaignName("  Desk \t Gadgets ")).toBe("Desk Gadgets");
    expect(refusal(() => normaliseCampaignName(" \n ")).message).toBe("Give the campaign a name.");
    expect(refusal(() => normaliseCampaignName("x".repeat(81))).message).toMatch(/81 characters/);
  });

  it("normalises niche labels to one lower-case spelling", () => {
    expect(normaliseNiche("  Home   Office ")).toBe("home office");
    expect(normaliseNiche("ＧＡＤＧＥＴＳ")).toBe("gadgets");
    expect(refusal(() => normaliseNiche("")).code).toBe("invalid_input");
  });

  it("prepares a campaign with canonical zone, parsed schedule and defaults", () => {
    const campaign = prepareCampaign(input, "discord:1");
    expect(campaign).toMatchObject({
      name: "Summer Gadgets",
      slug: "summer-gadgets",
      niche: "gadgets",
      timezone: "Europe/Berlin",
      schedule: { days: "daily", times: ["09:00", "21:00"] },
      adult: false,
      defaultLink: null,
      epc: 0,
      paidPartnership: true,
      disclosureTag: null,
      xAccountId: null,
    });
  });

  it("adds the # to a disclosure tag and refuses one with spaces", () => {
    expect(prepareCampaign({ ...input, disclosureTag: "ad" }, "discord:1").disclosureTag).toBe(
      "#ad",
    );
    expect(
      refusal(() => prepareCampaign({ ...input, disclosureTag: "#paid ad" }, "discord:1")).code,
    ).toBe("invalid_input");
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -0.01, 10_001])("refuses an EPC of %d", (epc) => {
    expect(refusal(() => prepareCampaign({ ...input, epc }, "discord:1")).code).toBe(
      "invalid_input",
    );
  });

  it("moves active → paused → active → archived and refuses the rest", () => {
    const at = (status: Campaign["status"]) => ({ name: "Summer", status }) as Campaign;
    expect(nextCampaignStatus(at("active"), "pause")).toBe("paused");
    expect(nextCampaignStatus(at("paused"), "resume")).toBe("active");
    expect(nextCampaignStatus(at("paused"), "archive")).toBe("archived");
    expect(refusal(() => nextCampaignStatus(at("archived"), "resume")).message).toBe(
      'Campaign "Summer" is archived, so it cannot be resumed.',
    );
    expect(refusal(() => nextCampaignStatus(at("active"), "resume")).code).toBe("campaign_state");
  });

  it("refuses a disclosure tag over 30 characters, saying how long it is", () => {
    expect(
      prepareCampaign({ ...input, disclosureTag: `#${"a".repeat(30)}` }, "discord:1").disclosureTag,
    ).toBe(`#${"a".repeat(30)}`);
    const tooLong = refusal(() =>
      prepareCampaign({ ...input, disclosureTag: "a".repeat(31) }, "discord:1"),
    );
    expect(tooLong.code).toBe("invalid_input");
    expect(tooLong.message).toBe("The disclosure tag is 31 characters; keep it to 30, e.g. #ad.");
  });
});

describe("campaign edits", () => {
  const current: Campaign = {
    ...prepareCampaign(
      { ...input, link: "https://shop.example/a", disclosureTag: "ad" },
      "discord:1",
    ),
    id: 7,
    status: "active",
    tracking: null,
    clickParam: "subid",
    autopilotEnabled: false,
    autopilotDaysAhead: 3,
    autopilotMinRepeatDays: 14,
    createdAt: new Date("2026-06-01T08:00:00Z"),
    updatedAt: new Date("2026-06-01T08:00:00Z"),
  };

  it("keeps only what differs, validated as create validates it", () => {
    expect(
      prepareCampaignChanges(current, {
        name: "  Winter   Gadgets ",
        niche: "GADGETS",
        timezone: "america/new_york",
        epc: 0.5,
      }),
    ).toEqual({
      name: "Winter Gadgets",
      slug: "winter-gadgets",
      timezone: "America/New_York",
      epc: 0.5,
    });
  });

  it("changes times or days alone and keeps the other part of the schedule", () => {
    expect(prepareCampaignChanges(current, { times: "8:00" }).schedule).toEqual({
      days: "daily",
      times: ["08:00"],
    });
    expect(prepareCampaignChanges(current, { days: "mon,fri" }).schedule).toEqual({
      days: ["mon", "fri"],
      times: ["09:00", "21:00"],
    });
  });

  it('removes the link or the disclosure tag when given "none"', () => {
    expect(prepareCampaignChanges(current, { link: "none", disclosureTag: "NONE" })).toEqual({
      defaultLink: null,
      disclosureTag: null,
    });
  });

  it("refuses an edit that gives nothing, or nothing new, and a bad value of any option", () => {
    expect(refusal(() => prepareCampaignChanges(current, {})).message).toBe(
      "Nothing to change: give at least one option besides the campaign.",
    );
    expect(
      refusal(() => prepareCampaignChanges(current, { adult: false, niche: "gadgets" })).message,
    ).toBe('Nothing to change: campaign "Summer Gadgets" already has these settings.');
    for (const bad of [
      { times: "25:00" },
      { days: "someday" },
      { timezone: "Mars/Olympus" },
      { link: "ftp://shop.example" },
      { epc: -1 },
      { name: "🌱" },
      { disclosureTag: "x".repeat(31) },
    ]) {
      expect(() => prepareCampaignChanges(current, bad)).toThrow(DomainError);
    }
  });

  it("sends approved posts back for changes to what X receives, not for names, niches or times", () => {
    expect(
      reapprovalFields(
        prepareCampaignChanges(current, { name: "Other", niche: "x", times: "10:00", epc: 2 }),
      ),
    ).toEqual([]);
    expect(
      reapprovalFields(
        prepareCampaignChanges(current, {
          xAccountId: 3,
          adult: true,
          link: "https://shop.example/b",
          disclosureTag: "#anzeige",
          paidPartnership: false,
        }),
      ),
    ).toEqual(["xAccountId", "adult", "defaultLink", "disclosureTag", "paidPartnership"]);
  });

  it("archiving cancels every post not yet finished: waiting, approved, failed and missed", () => {
    expect(CANCELLED_BY_ARCHIVE).toEqual(["pending_approval", "approved", "failed", "missed"]);
  });

  it("matches a typed name in any case and spacing, the live campaign before archived ones", () => {
    const archived = { ...current, id: 3, status: "archived" as const };
    const newerArchived = { ...current, id: 5, status: "archived" as const };
    const live = { ...current, id: 9 };
    expect(campaignNamed([archived, live, newerArchived], "summer   GADGETS")?.id).toBe(9);
    expect(campaignNamed([archived, newerArchived], "Summer Gadgets")?.id).toBe(5);
    expect(campaignNamed([live], "Winter Gadgets")).toBeUndefined();
    expect(campaignNamed([live], "🌱")).toBeUndefined();
  });
});
