import { SlashCommandBuilder } from "discord.js";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import type { Command } from "../context.ts";
import { given, parseOptions } from "../options.ts";
import { campaignChoices } from "./autocomplete.ts";

const RANGES = { "7d": 7, "30d": 30, "90d": 90 } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

const data = new SlashCommandBuilder()
  .setName("report")
  .setDescription("How the campaigns are doing")
  .addStringOption((o) =>
    o
      .setName("campaign")
      .setDescription("Only this campaign")
      .setAutocomplete(true)
      .setMaxLength(80),
  )
  .addStringOption((o) =>
    o.setName("niche").setDescription("Only campaigns with this niche").setMaxLength(40),
  )
  .addStringOption((o) =>
    o
      .setName("range")
      .setDescription("Period (default 7d)")
      .addChoices(...Object.keys(RANGES).map((range) => ({ name: range, value: range }))),
  );

const options = z.object({
  campaign: z.string().trim().min(1).max(80).optional(),
  niche: z.string().trim().min(1).max(40).optional(),
  range: z.enum(["7d", "30d", "90d"], { error: "range must be 7d, 30d or 90d" }).default("7d"),
});

/** Post counts per campaign for the period; engagement figures come with the metrics sync. */
export const reportCommand: Command = {
  data: data.toJSON(),

  async execute(interaction, ctx) {
    const o = parseOptions(options, {
      campaign: given(interaction.options.getString("campaign")),
      niche: given(interaction.options.getString("niche")),
      range: given(interaction.options.getString("range")),
    });
    const all = await ctx.campaigns.list(ctx.guildId);
    const niche = o.niche?.toLowerCase();
    if (niche !== undefined && !all.some((c) => c.niche === niche)) {
      const niches = [...new Set(all.map((c) => c.niche))];
      throw new DomainError(
        "invalid_input",
        `No campaign has the niche "${o.niche}". Niches: ${niches.length === 0 ? "none yet" : niches.join(", ")}.`,
      );
    }
    const wanted =
      o.campaign === undefined ? null : await ctx.campaigns.get(ctx.guildId, o.campaign);
    const campaigns = all.filter(
      (c) => (wanted === null || c.id === wanted.id) && (niche === undefined || c.niche === niche),
    );
    const now = ctx.clock.now();
    const past = await ctx.posts.countByStatus(ctx.guildId, {
      from: new Date(now.getTime() - RANGES[o.range] * DAY_MS),
      to: now,
    });
    const next = await ctx.posts.countByStatus(ctx.guildId, {
      from: now,
      to: new Date(now.getTime() + DAY_MS),
    });
    const sum = (rows: typeof past, campaignId: number, statuses: string[]) =>
      rows
        .filter((r) => r.campaignId === campaignId && statuses.includes(r.status))
        .reduce((n, r) => n + r.count, 0);
    const lines = campaigns.map(
      (c) =>
        `**${c.name}** (${c.niche}): ${sum(past, c.id, ["published"])} published, ${sum(past, c.id, ["failed"])} failed, ${sum(past, c.id, ["missed"])} missed; ${sum(next, c.id, ["approved", "pending_approval"])} queued for the next 24 h`,
    );
    if (lines.length === 0) return "No campaigns match.";
    return [`Report for the last ${o.range}:`, ...lines].join("\n").slice(0, 1900);
  },

  async autocomplete(interaction, ctx) {
    await interaction.respond(await campaignChoices(ctx, interaction.options.getFocused()));
  },
};
