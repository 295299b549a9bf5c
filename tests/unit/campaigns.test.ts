import { describe, expect, it } from "vitest";
import {
  type Campaign,
  nextCampaignStatus,
  normaliseCampaignName,
  normaliseNiche,
  prepareCampaign,
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
});
