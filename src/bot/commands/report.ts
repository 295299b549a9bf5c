import { SlashCommandBuilder } from "discord.js";
import { z } from "zod";
import { REPORT_RANGES } from "../../domain/reports.ts";
import type { Command } from "../context.ts";
import { given, parseOptions } from "../options.ts";
import { reportCsvMessage } from "../render/report-csv.ts";
import { reportMessage } from "../render/report-message.ts";
import { campaignChoices, nicheChoices } from "./autocomplete.ts";

const REPORT_FORMATS = ["summary", "csv"] as const;

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
    o
      .setName("niche")
      .setDescription("Only campaigns with this niche")
      .setAutocomplete(true)
      .setMaxLength(40),
  )
  .addStringOption((o) =>
    o
      .setName("range")
      .setDescription("Period (default 7d)")
      .addChoices(...REPORT_RANGES.map((range) => ({ name: range, value: range }))),
  )
  .addStringOption((o) =>
    o
      .setName("format")
      .setDescription("summary (default) or csv: every post's row as a CSV file")
      .addChoices(...REPORT_FORMATS.map((format) => ({ name: format, value: format }))),
  );

// Lengths only: which campaigns, niches and ranges exist is the domain's to say, with the choices.
const options = z.object({
  campaign: z.string().trim().min(1).max(80).optional(),
  niche: z.string().trim().min(1).max(40).optional(),
  range: z.string().trim().min(1).max(10).optional(),
  format: z.enum(REPORT_FORMATS).default("summary"),
});

/**
 * Totals, campaigns, niches, top posts, failures and the queue, with a chart; or every post's row
 * as a CSV file (design.md sections 5 and 6).
 */
export const reportCommand: Command = {
  data: data.toJSON(),

  async execute(interaction, ctx) {
    const { format, ...request } = parseOptions(options, {
      campaign: given(interaction.options.getString("campaign")),
      niche: given(interaction.options.getString("niche")),
      range: given(interaction.options.getString("range")),
      format: given(interaction.options.getString("format")),
    });
    const report = await ctx.reports.report(ctx.guildId, request);
    return format === "csv" ? reportCsvMessage(report) : reportMessage(report);
  },

  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused(true);
    const choices = focused.name === "niche" ? nicheChoices : campaignChoices;
    await interaction.respond(await choices(ctx, focused.value));
  },
};
