import { parse } from "csv-parse/sync";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { approvalNotices } from "../../src/bot/approval-notices.ts";
import { libraryCsv } from "../../src/bot/render/library-csv.ts";
import { teamNotices } from "../../src/bot/team-notices.ts";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { PrismaContentImports } from "../../src/db/content-import-repository.ts";
import { PrismaContentItemRepository } from "../../src/db/content-item-repository.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { discordActor } from "../../src/domain/audit.ts";
import { CampaignService } from "../../src/domain/campaigns.ts";
import { ContentImports } from "../../src/domain/content-import.ts";
import { ContentLibrary } from "../../src/domain/content-library.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { type TestDatabase, testDatabases, testProviders } from "../support/test-database.ts";

const GUILD = "222222222222222222";
const MANAGER = discordActor("333333333333333333");

const BOM = "\uFEFF";
const HEADER = "text;link;media_url;evergreen;tags;expires_on;max_uses";

/**
 * 50 rows as a spreadsheet in a comma-decimal locale saves them: a BOM, semicolons, CRLF line
 * ends, quoted cells with line breaks and semicolons, a cell starting with "=", and 3 bad rows.
 * Returns the file and the lines (1-based, header = 1) of the bad rows.
 */
function teamFile(): { csv: string; badLines: number[] } {
  const lines: string[] = [HEADER];
  const badLines: number[] = [];
  const lineOfNextRow = () => lines.join("\r\n").split("\n").length + 1;
  for (let i = 1; i <= 50; i += 1) {
    if (i === 10) {
      badLines.push(lineOfNextRow());
      lines.push("Only two cells;https://shop.example.com/x"); // wrong cell count
    } else if (i === 25) {
      badLines.push(lineOfNextRow());
      lines.push(`{Pour over|Drip} guide ${i};;;yes;;2026-02-30;`); // no such date
    } else if (i === 40) {
      badLines.push(lineOfNextRow());
      lines.push(`"${"Long ".repeat(60)}";;;;;;`); // over X's limit
    } else if (i % 7 === 0) {
      // A quoted cell with two line breaks and a semicolon.
      lines.push(`"Brew guide ${i};\r\nstep one\r\nstep two {link}";;;false;guides;;`);
    } else if (i === 13) {
      lines.push("=Grind size 13 matters;;;;formula;;3");
    } else {
      lines.push(
        `{Fresh|Freshly} ground beans no. ${i};https://shop.example.com/beans/${i};https://cdn.example.com/b${i}.png;true;beans morning;2026-12-31;${i}`,
      );
    }
  }
  return { csv: `${BOM}${lines.join("\r\n")}\r\n`, badLines };
}

describe.each(testProviders("content-csv.test.ts"))("content CSV on %s", (provider) => {
  const databases = testDatabases(provider, "content_csv");
  let db: TestDatabase;
  let library: ContentLibrary;
  let imports: ContentImports;
  let items: PrismaContentItemRepository;

  beforeEach(async () => {
    db = await databases.fresh();
    const clock = new FixedClock(new Date("2026-06-01T08:00:00Z"));
    const campaignRepository = new PrismaCampaignRepository(db.prisma);
    items = new PrismaContentItemRepository(db.prisma);
    library = new ContentLibrary({ campaigns: campaignRepository, items, clock });
    imports = new ContentImports({
      campaigns: campaignRepository,
      library,
      items,
      imports: new PrismaContentImports(db.prisma),
      clock,
    });
    const campaigns = new CampaignService(campaignRepository, new PrismaPostRepository(db.prisma), {
      notices: { approvals: approvalNotices, team: teamNotices },
    });
    for (const name of ["Coffee Gear", "Coffee Gear Copy"]) {
      await campaigns.create(
        {
          guildId: GUILD,
          name,
          niche: "coffee",
          times: "09:00",
          timezone: "Europe/Berlin",
          link: "https://shop.example.com/coffee",
        },
        MANAGER,
      );
    }
  });
  afterAll(async () => {
    await databases.closeAll();
  });

  /** The file /content export answers with. */
  const exportCsv = async (campaign: string) => {
    const { items: library, performance } = await imports.export(GUILD, campaign);
    return libraryCsv(library, performance);
  };

  const fieldsOf = async (campaign: string) => {
    const { id } = await library.liveCampaign(GUILD, campaign);
    return (await items.allOf(id)).map(
      ({ text, link, media, tags, evergreen, expiresOn, maxUses }) => ({
        text,
        link,
        media,
        tags,
        evergreen,
        expiresOn,
        maxUses,
      }),
    );
  };

  it("given a file with a BOM, semicolons, quoted line breaks, a formula cell and 3 bad rows of 50, previews 47 valid and the 3 by line, imports exactly the 47, and exports them so they import again unchanged", async () => {
    const { csv, badLines } = teamFile();
    const file = { name: "library.csv", bytes: new TextEncoder().encode(csv) };
    const preview = await imports.preview(GUILD, "Coffee Gear", file, MANAGER);
    expect(preview.valid).toBe(47);
    expect(preview.refused.map((refusal) => refusal.line)).toEqual(badLines);
    expect(preview.refused.map((refusal) => refusal.reason)).toEqual([
      expect.stringContaining("it has 2 cells where the header has 7"),
      expect.stringContaining('expires_on "2026-02-30" is not a date'),
      expect.stringContaining("The post is 323 characters"),
    ]);
    expect(await db.prisma.contentItem.count()).toBe(0);

    const done = await imports.confirm(GUILD, preview.id ?? 0, MANAGER);
    expect(done.imported).toBe(47);
    const imported = await fieldsOf("Coffee Gear");
    expect(imported).toHaveLength(47);
    expect(imported).toContainEqual({
      // Line breaks are stored as \n, whatever the file used.
      text: "Brew guide 7;\nstep one\nstep two {link}",
      link: null,
      media: [],
      tags: ["guides"],
      evergreen: false,
      expiresOn: null,
      maxUses: null,
    });
    expect(imported).toContainEqual(
      expect.objectContaining({ text: "=Grind size 13 matters", tags: ["formula"], maxUses: 3 }),
    );
    expect(imported).toContainEqual({
      text: "{Fresh|Freshly} ground beans no. 1",
      link: "https://shop.example.com/beans/1",
      media: ["https://cdn.example.com/b1.png"],
      tags: ["beans", "morning"],
      evergreen: true,
      expiresOn: "2026-12-31",
      maxUses: 1,
    });
    // The same Import button again: nothing more.
    await expect(imports.confirm(GUILD, preview.id ?? 0, MANAGER)).rejects.toMatchObject({
      code: "import_gone",
    });
    expect(await db.prisma.contentItem.count()).toBe(47);
    expect(await db.prisma.contentImport.count()).toBe(0);

    const exported = await exportCsv("Coffee Gear");
    const rows = parse(exported, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(47);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "text",
      "link",
      "media_url",
      "evergreen",
      "tags",
      "expires_on",
      "max_uses",
      "id",
      "uses",
      "last_used",
      "impressions",
      "clicks",
      "ctr",
    ]);
    // A spreadsheet opening the export shows the formula cell as text instead of running it.
    expect(rows.map((row) => row.text)).toContain("'=Grind size 13 matters");

    const again = await imports.preview(
      GUILD,
      "Coffee Gear Copy",
      { name: "export.csv", bytes: new TextEncoder().encode(exported) },
      MANAGER,
    );
    expect(again).toMatchObject({ valid: 47, refused: [] });
    await imports.confirm(GUILD, again.id ?? 0, MANAGER);
    expect(await fieldsOf("Coffee Gear Copy")).toEqual(imported);
  });

  it("exports what each item's published posts earned: impressions, X's link clicks and their ratio", async () => {
    const { item: earning } = await library.add(GUILD, "Coffee Gear", { text: "Beans A" }, MANAGER);
    const { item: quiet } = await library.add(GUILD, "Coffee Gear", { text: "Beans B" }, MANAGER);
    const { campaignId } = earning;
    const post = async (status: string, impressions: number | null, clicks: number | null) => {
      const row = await db.prisma.post.create({
        data: {
          campaignId,
          text: `Beans ${status} ${impressions}`,
          scheduledAt: new Date("2026-05-20T09:00:00Z"),
          status,
          createdBy: MANAGER,
          contentItemId: earning.id,
        },
      });
      await db.prisma.postMetricsLatest.create({
        data: {
          postId: row.id,
          impressions,
          likes: 0,
          reposts: 0,
          replies: 0,
          quotes: 0,
          urlLinkClicks: clicks,
          engagementRate: 0,
          recordedAt: new Date("2026-05-21T09:00:00Z"),
        },
      });
    };
    await post("published", 1000, 40);
    await post("published", 600, null);
    // A post that is not published (its metrics are stale) does not count.
    await post("failed", 5000, 500);
    const rows = parse(await exportCsv("Coffee Gear"), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(
      rows.map(({ id, impressions, clicks, ctr }) => ({ id, impressions, clicks, ctr })),
    ).toEqual([
      { id: String(earning.id), impressions: "1600", clicks: "40", ctr: "0.025" },
      { id: String(quiet.id), impressions: "0", clicks: "0", ctr: "" },
    ]);
  });

  it("lists a campaign's items by tag, matching whole tags only", async () => {
    for (const [text, tags] of [
      ["Cold brew", "cold-brew"],
      ["Cold brew kit", "Cold-Brew-Kit"],
      ["Brew guide", "brew"],
    ] as const) {
      await library.add(GUILD, "Coffee Gear", { text, tags }, MANAGER);
    }
    const tagged = async (tag: string) =>
      (await library.list({ guildId: GUILD, tag, limit: 10 })).map((item) => item.text);
    expect(await tagged("cold-brew")).toEqual(["Cold brew"]);
    expect(await tagged("brew")).toEqual(["Brew guide"]);
    expect(await library.count({ guildId: GUILD, tag: "cold-brew-kit" })).toBe(1);
    // The database's LIKE wildcards cannot be tags, so a tag never matches another by accident.
    await expect(
      library.add(GUILD, "Coffee Gear", { text: "Iced", tags: "cold_brew" }, MANAGER),
    ).rejects.toMatchObject({ code: "invalid_input" });
    expect(await library.count({ guildId: "another guild" })).toBe(0);
  });

  it("given 5,000 rows, imports them all in one transaction", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `Hiking tip number ${i},trail`);
    const csv = `text,tags\n${rows.join("\n")}\n`;
    const preview = await imports.preview(
      GUILD,
      "Coffee Gear",
      { name: "tips.csv", bytes: new TextEncoder().encode(csv) },
      MANAGER,
    );
    expect(preview).toMatchObject({ valid: 5000, refused: [] });
    await imports.confirm(GUILD, preview.id ?? 0, MANAGER);
    expect(await db.prisma.contentItem.count()).toBe(5000);
    expect(await db.prisma.auditEvent.count({ where: { action: "content_item.imported" } })).toBe(
      1,
    );
  });
});
