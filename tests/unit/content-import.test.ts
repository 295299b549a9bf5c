import { parse } from "csv-parse/sync";
import { beforeEach, describe, expect, it } from "vitest";
import { libraryCsv } from "../../src/bot/render/library-csv.ts";
import { readContentCsv } from "../../src/domain/content-csv.ts";
import { ContentImports, IMPORT_PREVIEW_TTL_MS } from "../../src/domain/content-import.ts";
import type { ContentItem } from "../../src/domain/content-items.ts";
import { ContentLibrary } from "../../src/domain/content-library.ts";
import { DomainError } from "../../src/domain/errors.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import {
  InMemoryCampaigns,
  InMemoryContentImports,
  InMemoryContentItems,
  testCampaign,
} from "../support/in-memory-content.ts";

const GUILD = "guild-1";
const AUTHOR = "discord:2";
const bytes = (text: string) => new TextEncoder().encode(text);

const anItem: ContentItem = {
  id: 1,
  campaignId: 1,
  text: "",
  link: null,
  media: [],
  tags: [],
  evergreen: true,
  expiresOn: null,
  maxUses: null,
  uses: 0,
  lastUsedAt: null,
  createdBy: AUTHOR,
  createdAt: new Date("2026-06-01T08:00:00Z"),
  updatedAt: new Date("2026-06-01T08:00:00Z"),
};

function refusalOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("reading an import file", () => {
  it.each([
    ["an empty file", bytes(""), "it is empty"],
    ["a header without rows", bytes("text,link\n"), "a header but no rows"],
    [
      "an unknown column",
      bytes("text,price,colour\nBeans,3,red\n"),
      'columns Herald does not know ("price", "colour")',
    ],
    ["no text column", bytes("link,tags\nhttps://a.example.com,x\n"), 'no "text" column'],
    ["a column twice", bytes("text,tags,Tags\nBeans,a,b\n"), 'names the column "tags" twice'],
    [
      "Latin-1 bytes",
      Uint8Array.from([0x74, 0x65, 0x78, 0x74, 0x0a, 0x43, 0x61, 0x66, 0xe9, 0x0a]),
      "not UTF-8",
    ],
    ["an unclosed quote", bytes('text\n"Beans\n'), "not a CSV file Herald can read (line"],
    [
      "a PNG",
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]),
      "not UTF-8",
    ],
    ["100,000 rows", bytes(`text\n${"Trail tip\n".repeat(100_000)}`), "more than 5,000 rows"],
    ["a 20 MB file", new Uint8Array(20 * 1024 * 1024).fill(0x61), "larger than 5 MB"],
  ])("refuses %s as a whole, saying why", (_, file, reason) => {
    const refusal = refusalOf(() => readContentCsv(file));
    expect(refusal.code).toBe("invalid_input");
    expect(refusal.message).toContain("The file was not imported");
    expect(refusal.message).toContain(reason);
  });

  it("given comma-separated rows, reads them with the header's case and spacing forgiven and empty lines skipped", () => {
    expect(readContentCsv(bytes(" Text , TAGS\n\nBeans, coffee \n,\n"))).toEqual([
      { line: 3, cells: { text: "Beans", tags: "coffee" } },
    ]);
  });

  it("given an export's formula cells, written with csv-stringify's escape, reads each back as it was", () => {
    const texts = [
      "=1+2",
      "+31 6 1234",
      "-20% off",
      "@team",
      "\tTab",
      "＝full width",
      "'=quoted already",
      "''=twice",
      "'plain",
      "plain",
    ];
    const exported = libraryCsv(
      texts.map((text, index) => ({ ...anItem, id: index + 1, text })),
      new Map(),
    );
    const cells = parse(exported, { bom: true, columns: true }) as { text: string }[];
    // What a spreadsheet gets: no cell starts with a formula character.
    expect(cells.map((row) => row.text)).toEqual([
      "'=1+2",
      "'+31 6 1234",
      "'-20% off",
      "'@team",
      "'\tTab",
      "'＝full width",
      "''=quoted already",
      "'''=twice",
      "'plain",
      "plain",
    ]);
    const read = readContentCsv(new TextEncoder().encode(exported));
    expect(read.map((row) => ("cells" in row ? row.cells.text : null))).toEqual(texts);
  });
});

describe("import preview and the Import button", () => {
  let clock: FixedClock;
  let items: InMemoryContentItems;
  let previews: InMemoryContentImports;
  let imports: ContentImports;
  let campaigns: InMemoryCampaigns;

  beforeEach(() => {
    clock = new FixedClock(new Date("2026-06-01T08:00:00Z"));
    campaigns = new InMemoryCampaigns([
      testCampaign(),
      testCampaign({ id: 2, guildId: "guild-2", name: "Elsewhere", slug: "elsewhere" }),
    ]);
    items = new InMemoryContentItems(campaigns);
    previews = new InMemoryContentImports(items);
    const library = new ContentLibrary({ campaigns, items, clock });
    imports = new ContentImports({ campaigns, library, items, imports: previews, clock });
  });

  const file = (rows: string[]) => ({
    name: "beans.csv",
    bytes: bytes(`text,tags\n${rows.join("\n")}\n`),
  });
  const preview = (rows: string[]) => imports.preview(GUILD, "Coffee Gear", file(rows), AUTHOR);

  it("refuses a row repeating an earlier row or an item of the library, naming which", async () => {
    await items.create(
      {
        campaignId: 1,
        text: "Beans of the week",
        link: null,
        media: [],
        tags: [],
        evergreen: true,
        expiresOn: null,
        maxUses: null,
        createdBy: AUTHOR,
      },
      { actor: AUTHOR, action: "content_item.added" },
    );
    const result = await preview(["Fresh beans,a", "fresh  BEANS,b", "Beans of the week,c"]);
    expect(result.valid).toBe(1);
    expect(result.refused).toEqual([
      { line: 3, reason: "the same text as line 2" },
      { line: 4, reason: "the same text as item #1 of the library" },
    ]);
  });

  it("given no valid row, stores no preview", async () => {
    const result = await preview(["{broken"]);
    expect(result).toMatchObject({ id: null, valid: 0 });
    expect(previews.previews.size).toBe(0);
  });

  it("imports once, only for the member who ran the import, and only within the hour", async () => {
    const { id } = await preview(["Fresh beans,a", "Dark roast,b"]);
    await expect(imports.confirm(GUILD, id ?? 0, "discord:9")).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(imports.confirm("guild-2", id ?? 0, AUTHOR)).rejects.toMatchObject({
      code: "import_gone",
    });
    expect(items.items).toHaveLength(0);
    await expect(imports.confirm(GUILD, id ?? 0, AUTHOR)).resolves.toMatchObject({ imported: 2 });
    await expect(imports.confirm(GUILD, id ?? 0, AUTHOR)).rejects.toMatchObject({
      code: "import_gone",
    });
    expect(items.items.map((item) => [item.text, item.tags])).toEqual([
      ["Fresh beans", ["a"]],
      ["Dark roast", ["b"]],
    ]);
    expect(previews.audit).toEqual([
      expect.objectContaining({
        action: "content_item.imported",
        payload: expect.objectContaining({ items: 2 }),
      }),
    ]);

    const late = await preview(["Light roast,c"]);
    clock.advance(IMPORT_PREVIEW_TTL_MS + 1);
    const refusal = await imports.confirm(GUILD, late.id ?? 0, AUTHOR).catch((e: unknown) => e);
    expect(refusal).toMatchObject({
      code: "import_gone",
      message: expect.stringContaining("expired"),
    });
    expect(previews.previews.size).toBe(0);
    expect(items.items).toHaveLength(2);
  });

  it("given the campaign's rules changed between preview and Import, imports nothing and names the line", async () => {
    const { id } = await preview(["Fresh beans #ad,a", "Dark roast,b"]);
    clock.advance(60_000);
    campaigns.campaigns[0] = testCampaign({ disclosureTag: "#ad", updatedAt: clock.now() });
    const refusal = await imports.confirm(GUILD, id ?? 0, AUTHOR).catch((e: unknown) => e);
    expect(refusal).toMatchObject({
      code: "disclosure_missing",
      message: expect.stringMatching(
        /^Since the preview, line 3 became refused: .*#ad.* Nothing was imported/,
      ),
    });
    expect(items.items).toHaveLength(0);
  });

  it("refuses rows past the file's variant budget, and keeps those before it", async () => {
    // Each row stands for 1,000 variants: 200 rows use the budget of 200,000.
    const rows = Array.from(
      { length: 201 },
      (_, i) => `${i} {a|b|c|d|e|f|g|h|i|j}{a|b|c|d|e|f|g|h|i|j}{a|b|c|d|e|f|g|h|i|j},x`,
    );
    const result = await preview(rows);
    expect(result.valid).toBe(200);
    expect(result.refused).toEqual([
      { line: 202, reason: expect.stringContaining("more than 200,000 variants together") },
    ]);
  });
});
