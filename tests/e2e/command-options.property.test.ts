import { InteractionResponseType, ApplicationCommandOptionType as T } from "discord.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  connectTeamAccount,
  createCampaign,
  databaseFingerprint,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { OptionValue } from "../support/fake-discord/command-options.ts";
import type { CommandOption } from "../support/fake-discord/command-store.ts";

/** Text people paste, and text meant to break things. */
const HOSTILE = [
  " ",
  "\u0000",
  "\u202eevil",
  '\'; DROP TABLE "Post"; --',
  "@everyone",
  "<@&400000000000000001>",
  "𝕯𝖊𝖘𝖐 𝕷𝖆𝖒𝖕𝖘",
  "Z̷̢̛a̸l̵g̶o̴",
  "👩‍👩‍👧‍👦".repeat(20),
  "../../etc/passwd",
  "javascript:alert(1)",
  "https://user:secret@shop.example.com/",
  "ftp://shop.example.com/",
  "09:00,15:00",
  "25:00",
  "9am",
  "99:99,00:00",
  "9999-99-99 99:99",
  "2020-01-01 10:00",
  "now",
  "next",
  "Mars/Olympus",
  "daily",
  "mon,mon,xyz",
  "Desk Lamps",
  "desk lamps ",
] as const;

/**
 * Values a careful person types, so that a fair share of interactions succeed and the "no partial
 * write" check also meets changes, not only refusals.
 */
const PLAUSIBLE = [
  "Desk Lamps",
  "09:00,15:00",
  "next",
  "Europe/Berlin",
  "08:30",
  "mon,wed,fri",
  "A lamp for reading at night",
  "https://shop.example.com/lamps?ref=fuzz",
] as const;

const text = fc.oneof(
  fc.constantFrom(...HOSTILE),
  { arbitrary: fc.constantFrom(...PLAUSIBLE), weight: 3 },
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: "grapheme-ascii", minLength: 200, maxLength: 3000 }),
);
const integer = fc.oneof(
  fc.constantFrom(1, 2, 3, 0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
);
const number = fc.oneof(
  fc.constantFrom(0, 0.05, 10_000, 1e308, -1),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** What a person may put into one option, by its registered type. */
function valueFor(option: CommandOption): fc.Arbitrary<OptionValue> {
  if (option.choices !== undefined && option.choices.length > 0) {
    return fc.constantFrom(...option.choices.map((choice) => choice.value));
  }
  switch (option.type) {
    case T.String:
      return text;
    case T.Integer:
      return integer;
    case T.Number:
      return number;
    case T.Boolean:
      return fc.boolean();
    case T.Channel:
      return fc.constantFrom(...Object.values(TEAM.channels).slice(0, 3));
    case T.Role:
      return fc.constantFrom(...Object.values(TEAM.roles), TEAM.guildId);
    default:
      throw new Error(`no generator for option type ${option.type}`);
  }
}

/** Any subset of the options, each with any value: missing options included. */
function optionsFor(
  definitions: readonly CommandOption[],
): fc.Arbitrary<Record<string, OptionValue>> {
  const usable = definitions.filter((option) => option.type !== T.Attachment);
  const record = Object.fromEntries(usable.map((option) => [option.name, valueFor(option)]));
  return fc
    .record(record, { requiredKeys: [] })
    .map((given) =>
      Object.fromEntries(
        Object.entries(given).filter(
          (entry): entry is [string, OptionValue] => entry[1] !== undefined,
        ),
      ),
    );
}

const UNEXPECTED = /Something went wrong on Herald's side/;
/** Replies that report a change; every other reply must leave the database as it was. */
const CHANGED =
  /^(Created campaign|Changed campaign|Campaign \*\*.+\*\* is now|Queued post #|Post #\d+ (was changed|is cancelled|is rescheduled)|Saved\.|Budget of @|(Added|Changed|Removed) item #|Autopilot is (on|off) for)/;

/** The queue form's fields as Discord's client lets a person fill them (text required). */
const queueFormValues = fc.record({
  text: fc.oneof(
    fc.string({ minLength: 1, maxLength: 1000 }),
    fc.constant("Line one\nhttps://a.example/x"),
  ),
  // Required in the form: Discord's client submits no empty campaign.
  campaign: fc.oneof(fc.constant("Desk Lamps"), fc.string({ minLength: 1, maxLength: 80 })),
  link: fc.oneof(
    fc.constant(""),
    fc.constant("https://shop.example.com/q"),
    fc.string({ maxLength: 200 }),
  ),
  at: fc.oneof(
    fc.constant(""),
    fc.constantFrom("now", "next", "2020-01-01 10:00"),
    fc.string({ maxLength: 40 }),
  ),
});

/** For examples that open no form. */
const UNUSED_FORM = { text: "unused", campaign: "", link: "", at: "" };

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
  await setUpTeam(e2e);
  await connectTeamAccount(e2e);
  await createCampaign(e2e, { link: "https://shop.example.com/lamps" });
  await queuePost(e2e, { text: "A first lamp post", at: "next" });
});
afterAll(() => finishE2E(e2e));

describe("every command's options, fuzzed", () => {
  it("given random and hostile values, each interaction ends in a success or a private error, never a crash or a partial write", async () => {
    const registered = e2e.discord.commandRegistrations.at(-1)?.commands ?? [];
    interface Case {
      name: string;
      subcommand: string | undefined;
      options: readonly CommandOption[];
    }
    const cases = registered.flatMap((command): Case[] => {
      const subcommands = (command.options ?? []).filter((o) => o.type === T.Subcommand);
      return subcommands.length === 0
        ? [{ name: command.name, subcommand: undefined, options: command.options ?? [] }]
        : subcommands.map((sub) => ({
            name: command.name,
            subcommand: sub.name,
            options: sub.options ?? [],
          }));
    });
    expect(cases.length).toBeGreaterThanOrEqual(15);

    const interaction = fc.oneof(
      ...cases.map((c) =>
        fc.record({
          name: fc.constant(c.name),
          subcommand: fc.constant(c.subcommand),
          options: optionsFor(c.options),
          user: fc.constantFrom(TEAM.admin, TEAM.manager, TEAM.member),
          // What the person types into a form the command opens (the /post queue form).
          form: queueFormValues,
        }),
      ),
    );
    let sent = 0;
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(interaction, async ({ form, ...input }) => {
        const before = await databaseFingerprint(e2e);
        let handle: Awaited<ReturnType<E2E["discord"]["runCommand"]>>;
        try {
          handle = await e2e.discord.runCommand(input);
        } catch (error) {
          // The Discord client would not send it (a missing required option, too long a text):
          // not an interaction Herald can receive.
          fc.pre(!/Discord (would not send|hides)/.test(String(error)));
          throw error;
        }
        sent += 1;
        if (handle.type === InteractionResponseType.Modal) {
          expect(await databaseFingerprint(e2e)).toEqual(before);
          const customId = handle.modal?.customId ?? "";
          if (!customId.startsWith("post-queue:")) return;
          handle = await e2e.discord.submitModal({ user: input.user, customId, fields: form });
        }
        const message = await handle.reply();
        const reply = message.content;
        expect(handle.ephemeral).toBe(true);
        expect(reply).not.toMatch(UNEXPECTED);
        // The reply says something: text, or an embed (/report answers with one).
        expect(reply.length + message.embeds.length).toBeGreaterThan(0);
        if (CHANGED.test(reply)) changed += 1;
        else expect(await databaseFingerprint(e2e)).toEqual(before);
      }),
      {
        numRuns: 300,
        // Run first, while "Desk Lamps" is still active (random runs soon archive or pause it):
        // interactions that succeed, so the property meets real changes on every run.
        examples: [
          [
            {
              name: "campaign",
              subcommand: "create",
              options: { name: "Garden Chairs", niche: "garden", times: "10:00" },
              user: TEAM.manager,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "post",
              subcommand: "queue",
              options: { campaign: "Desk Lamps", text: "A lamp for the fuzzer", at: "next" },
              user: TEAM.manager,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "post",
              subcommand: "queue",
              options: { campaign: "Desk Lamps", at: "next" },
              user: TEAM.manager,
              form: {
                text: "A lamp\nthrough the form",
                campaign: "Desk Lamps",
                link: "",
                at: "next",
              },
            },
          ],
          [
            {
              name: "content",
              subcommand: "add",
              options: {
                campaign: "Desk Lamps",
                text: "{A lamp|Lamps} for the fuzzer",
                tags: "fuzz",
              },
              user: TEAM.manager,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "content",
              subcommand: "edit",
              options: { item: 1, evergreen: false, max_uses: 0 },
              user: TEAM.manager,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "post",
              subcommand: "reschedule",
              options: { post: 1, at: "next" },
              user: TEAM.manager,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "campaign",
              subcommand: "edit",
              options: { campaign: "desk lamps", times: "08:30", disclosure_tag: "#ad" },
              user: TEAM.manager,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "settings",
              subcommand: "set",
              options: { timezone: "Europe/Berlin" },
              user: TEAM.admin,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "settings",
              subcommand: "set",
              options: { late_grace_minutes: 30, require_second_approver: false },
              user: TEAM.admin,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "settings",
              subcommand: "set",
              options: { late_grace_minutes: 30, clear: "late_grace_minutes" },
              user: TEAM.admin,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "x",
              subcommand: "budget",
              options: { account: "@team_deals", per_24h: 50, per_15min: 10 },
              user: TEAM.admin,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "x",
              subcommand: "budget",
              options: { account: "team_deals", per_24h: 0 },
              user: TEAM.admin,
              form: UNUSED_FORM,
            },
          ],
          [
            {
              name: "x",
              subcommand: "disconnect",
              options: { account: "team_deals" },
              user: TEAM.admin,
              form: UNUSED_FORM,
            },
          ],
        ],
      },
    );
    // Most generated interactions were deliverable, and some changed things: not vacuous.
    expect(sent).toBeGreaterThan(150);
    expect(changed).toBeGreaterThan(0);
  }, 180_000);
});
