import { parse } from "csv-parse/sync";
import { InteractionResponseType } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  databaseFingerprint,
  finishE2E,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { OptionValue } from "../support/fake-discord/command-options.ts";
import type { ApiMessage } from "../support/fake-discord/server.ts";

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E();
  await setUpTeam(e2e);
  await connectTeamAccount(e2e);
  await createCampaign(e2e, { link: "https://shop.example.com/lamps" });
});
afterEach(() => finishE2E(e2e));

async function content(
  subcommand: string,
  options: Record<string, OptionValue>,
  user: string = TEAM.manager,
): Promise<ApiMessage> {
  const handle = await e2e.discord.runCommand({ user, name: "content", subcommand, options });
  const reply = await handle.reply();
  expect(handle.ephemeral).toBe(true);
  return reply;
}

/** A library file as a spreadsheet saves it: semicolons, a BOM, a quoted line break, 2 bad rows. */
const LIBRARY_CSV = [
  "\uFEFFtext;link;media_url;evergreen;tags;expires_on;max_uses",
  "{Warm|Soft} light for {reading|late work};;;true;reading;;",
  '"A clamp lamp;\nfits any desk {link}";https://shop.example.com/clamp;;false;clamps;2030-01-31;',
  "=Dimmable at the touch of a button;;;yes;;;3",
  "Broken {spintax;;;;;;",
  "No tag column;here",
  ...Array.from({ length: 7 }, (_, i) => `Desk lamp idea ${i + 1};;;;ideas;;`),
].join("\r\n");

describe("/content", () => {
  it("adds items by option and by form, lists them, imports a CSV through its preview and Import button (also after a restart) and exports the library", async () => {
    const added = await content("add", {
      campaign: "Desk Lamps",
      text: "{Bright|Warm} light for late {reading|work} {link}",
      tags: "lamps, Evening",
    });
    expect(added.content).toBe(
      "Added item #1 to the library of Desk Lamps. 4 variants, the longest 53 of 280 characters as X counts them.",
    );

    const opened = await e2e.discord.runCommand({
      user: TEAM.manager,
      name: "content",
      subcommand: "add",
      options: { campaign: "Desk Lamps", evergreen: false, max_uses: 1 },
    });
    expect(opened.type).toBe(InteractionResponseType.Modal);
    const submitted = await e2e.discord.submitModal({
      user: TEAM.manager,
      customId: opened.modal?.customId ?? "",
      fields: {
        text: "A lamp for the\nlong winter evenings",
        campaign: "Desk Lamps",
        link: "",
        tags: "winter",
        expires_on: "",
      },
    });
    expect((await submitted.reply()).content).toMatch(
      /^Added item #2 to the library of Desk Lamps\./,
    );

    // Everyone may look; only content managers may change the library.
    const list = await content("list", { campaign: "Desk Lamps" }, TEAM.member);
    expect(list.content.split("\n")).toEqual([
      "**Library items 1–2 of 2** · Desk Lamps",
      "#2 · single use, not used yet · #winter · A lamp for the long winter evenings",
      "#1 · evergreen, used 0 times · #lamps #evening · {Bright|Warm} light for late {reading|work} {link}",
    ]);
    const refused = await content("add", { campaign: "Desk Lamps", text: "Mine" }, TEAM.member);
    expect(refused.content).toMatch(/^You need the content manager role to add library items/);

    const file = e2e.discord.addAttachment(
      "lamp library.csv",
      "text/csv; charset=utf-8",
      Buffer.from(LIBRARY_CSV, "utf8"),
    );
    const before = await databaseFingerprint(e2e);
    const preview = await content("import", { campaign: "Desk Lamps", file });
    expect(preview.content.split("\n").slice(0, 3)).toEqual([
      "**lamp_library.csv** for Desk Lamps: 10 rows can be imported, 2 rows are refused.",
      "- line 6: The text's spintax is malformed at character 8: this { is never closed. Write groups as {a|b|c}; type \\{ for a literal brace.",
      "- line 7: it has 2 cells where the header has 7 (a separator or quote out of place?)",
    ]);
    expect(buttonsOf(preview).map((b) => b.id)).toEqual([
      expect.stringMatching(/^content:import:\d+$/),
    ]);
    // A preview stores the file's valid rows, nothing in the library yet.
    expect((await databaseFingerprint(e2e)).ContentItem).toEqual(before.ContentItem);

    // The button carries the preview's id; the rows wait in the database, not in memory.
    await e2e.restart();
    const press = await e2e.discord.pressButton({
      user: TEAM.manager,
      message: preview,
      customId: buttonsOf(preview)[0]?.id ?? "",
    });
    expect(press.type).toBe(InteractionResponseType.DeferredMessageUpdate);
    const imported = await press.reply();
    expect(imported.id).toBe(preview.id);
    expect(imported.content).toBe("Imported 10 items into the library of Desk Lamps.");
    // The preview became the outcome: no Import button is left to press twice.
    expect(imported.components).toEqual([]);
    expect(await e2e.herald.prisma.contentItem.count()).toBe(12);

    const shown = await content("show", { item: 4 }, TEAM.member);
    expect(shown.content).toContain("**Item #4** of Desk Lamps · single use, not used yet");
    expect(shown.content).toContain("Used until 2030-01-31 (Europe/Berlin)");
    expect(shown.content.endsWith("Text:\nA clamp lamp;\nfits any desk {link}")).toBe(true);

    const exported = await content("export", { campaign: "Desk Lamps" });
    expect(exported.content).toBe(
      "The library of Desk Lamps: 12 items, with uses, last use, impressions, clicks and CTR per item.",
    );
    expect(exported.attachments.map((a) => a.filename)).toEqual(["desk-lamps-library.csv"]);
    const bytes = e2e.discord.attachmentBytes(exported.attachments[0]?.url ?? "");
    if (bytes === undefined) throw new Error("the fake Discord holds no bytes for the export");
    const rows = parse(bytes, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.text)).toEqual([
      "{Bright|Warm} light for late {reading|work} {link}",
      "A lamp for the\nlong winter evenings",
      "{Warm|Soft} light for {reading|late work}",
      "A clamp lamp;\nfits any desk {link}",
      "'=Dimmable at the touch of a button",
      ...Array.from({ length: 7 }, (_, i) => `Desk lamp idea ${i + 1}`),
    ]);
    expect(rows[4]).toMatchObject({
      max_uses: "3",
      uses: "0",
      impressions: "0",
      clicks: "0",
      ctr: "",
    });

    const removed = await content("remove", { item: 5 });
    expect(removed.content).toBe(
      "Removed item #5 from the library of Desk Lamps. Posts made from it keep their text.",
    );
    const ideas = await content("list", { campaign: "Desk Lamps", tag: "#Ideas" });
    expect(ideas.content.split("\n")[0]).toBe("**Library items 1–7 of 7** · Desk Lamps · #ideas");
  });

  it("offers items by number and text in autocomplete, each with its campaign", async () => {
    await content("add", { campaign: "Desk Lamps", text: "A lamp that clamps" });
    await content("add", { campaign: "Desk Lamps", text: "A lamp that dims" });
    const typed = async (value: string) =>
      (
        await e2e.discord.autocomplete({
          user: TEAM.member,
          name: "content",
          subcommand: "show",
          options: { item: value },
          focused: "item",
        })
      ).choices;
    expect(await typed("dims")).toEqual([{ name: "#2 · Desk Lamps · A lamp that dims", value: 2 }]);
    expect(await typed("1")).toEqual([{ name: "#1 · Desk Lamps · A lamp that clamps", value: 1 }]);
  });
});
