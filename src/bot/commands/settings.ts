import { ChannelType, PermissionFlagsBits, SlashCommandBuilder } from "discord.js";
import { z } from "zod";
import { currencyCodeSchema } from "../../domain/currency.ts";
import { DomainError } from "../../domain/errors.ts";
import { describePostback } from "../../domain/postbacks.ts";
import { requireRole } from "../../domain/roles.ts";
import {
  type ClearableSetting,
  type GuildSettings,
  MAX_LATE_GRACE_MINUTES,
} from "../../domain/settings.ts";
import { actorOf, auditActor } from "../actor.ts";
import type { Command } from "../context.ts";
import { given, parseOptions } from "../options.ts";
import { timezoneChoices } from "./autocomplete.ts";

/** `clear` choices: the option's name as people type it, and the setting it unsets. */
const CLEAR_CHOICES = [
  ["approval_channel", "approvalChannelId"],
  ["report_channel", "reportChannelId"],
  ["approver_role", "approverRoleId"],
  ["manager_role", "managerRoleId"],
  ["late_grace_minutes", "lateGraceMinutes"],
] as const satisfies readonly (readonly [string, ClearableSetting])[];
const CLEARED = new Map<string, ClearableSetting>(CLEAR_CHOICES);

const postbackOptions = z.object({ rotate: z.boolean().default(false) });

const data = new SlashCommandBuilder()
  .setName("settings")
  .setDescription("Herald's settings for this server")
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((sub) => sub.setName("show").setDescription("Show the settings"))
  .addSubcommand((sub) =>
    sub
      .setName("postback")
      .setDescription("Show the conversion postback URL for your affiliate network")
      .addBooleanOption((o) =>
        o.setName("rotate").setDescription("Make a new token; the old URL stops working"),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("set")
      .setDescription("Change settings")
      .addChannelOption((o) =>
        o
          .setName("approval_channel")
          .setDescription("Where posts wait for approval")
          .addChannelTypes(ChannelType.GuildText),
      )
      .addChannelOption((o) =>
        o
          .setName("report_channel")
          .setDescription("Where the daily report goes")
          .addChannelTypes(ChannelType.GuildText),
      )
      .addRoleOption((o) => o.setName("approver_role").setDescription("Members who approve posts"))
      .addRoleOption((o) =>
        o.setName("manager_role").setDescription("Members who create campaigns and queue posts"),
      )
      .addStringOption((o) =>
        o
          .setName("timezone")
          .setDescription("Default IANA time zone, e.g. Europe/Berlin")
          .setAutocomplete(true)
          .setMaxLength(64),
      )
      .addStringOption((o) =>
        o.setName("report_time").setDescription("Daily report time, HH:mm").setMaxLength(5),
      )
      .addIntegerOption((o) =>
        o
          .setName("late_grace_minutes")
          .setDescription("How late a held post may still go out, in minutes (0: never late)")
          .setMinValue(0)
          .setMaxValue(MAX_LATE_GRACE_MINUTES),
      )
      .addBooleanOption((o) =>
        o
          .setName("require_second_approver")
          .setDescription("Whoever queued or last edited a post cannot approve it"),
      )
      .addStringOption((o) =>
        o
          .setName("clear")
          .setDescription("A setting to unset (the grace window goes back to the default)")
          .addChoices(...CLEAR_CHOICES.map(([name]) => ({ name, value: name }))),
      )
      .addNumberOption((o) =>
        o
          .setName("x_monthly_budget")
          .setDescription("Most Herald may spend on X per calendar month, in USD (0: no cap)")
          .setMinValue(0)
          .setMaxValue(1_000_000),
      )
      .addBooleanOption((o) =>
        o
          .setName("x_budget_stops_posting")
          .setDescription("A used-up X budget holds posts too, not only metric reads"),
      )
      .addStringOption((o) =>
        o
          .setName("currency")
          .setDescription("Currency reports show revenue in, ISO 4217 (USD, EUR, GBP)")
          .setMinLength(3)
          .setMaxLength(3),
      ),
  );

const snowflake = z.string().regex(/^\d{17,20}$/);
const setOptions = z.object({
  approvalChannelId: snowflake.optional(),
  reportChannelId: snowflake.optional(),
  approverRoleId: snowflake.optional(),
  managerRoleId: snowflake.optional(),
  timezone: z.string().trim().min(1).max(64).optional(),
  reportTime: z.string().trim().min(1).max(5).optional(),
  lateGraceMinutes: z.number().int().min(0).max(MAX_LATE_GRACE_MINUTES).optional(),
  requireSecondApprover: z.boolean().optional(),
  clear: z
    .string()
    .transform((name, ctx) => {
      const setting = CLEARED.get(name);
      if (setting === undefined) {
        ctx.addIssue({
          code: "custom",
          message: `is one of ${CLEAR_CHOICES.map(([choice]) => choice).join(", ")}`,
        });
        return z.NEVER;
      }
      return setting;
    })
    .optional(),
  xMonthlyBudget: z.number().min(0).max(1_000_000).optional(),
  xBudgetStopsPosting: z.boolean().optional(),
  currency: currencyCodeSchema.optional(),
});

export function describeSettings(settings: GuildSettings): string {
  const channel = (id: string | null) => (id === null ? "not set" : `<#${id}>`);
  const role = (id: string | null) => (id === null ? "not set" : `<@&${id}>`);
  return [
    `Approval channel: ${channel(settings.approvalChannelId)}`,
    `Report channel: ${channel(settings.reportChannelId)}`,
    `Approver role: ${role(settings.approverRoleId)}`,
    `Manager role: ${role(settings.managerRoleId)}`,
    `Time zone: ${settings.timezone} · daily report at ${settings.reportTime}`,
    settings.lateGraceMinutes === null
      ? "Late posts: sent within the server's default grace window (HERALD_LATE_GRACE_MINUTES)"
      : `Late posts: sent up to ${settings.lateGraceMinutes} minute(s) late, later ones are missed`,
    settings.requireSecondApprover
      ? "Second approver: required (whoever queued or last edited a post cannot approve it)"
      : "Second approver: not required",
    `X monthly budget: ${settings.xMonthlyBudget === null ? "no cap" : `$${settings.xMonthlyBudget.toFixed(2)}`}${settings.xBudgetStopsPosting ? " · a used-up budget holds posts too" : " · a used-up budget stops metric reads only"}`,
    `Currency: ${settings.currency} (payouts sent in other currencies are shown apart, not converted)`,
    "Admins: members with the Manage Server permission.",
  ].join("\n");
}

export const settingsCommand: Command = {
  data: data.toJSON(),

  async execute(interaction, ctx) {
    const current = await ctx.settings.get(ctx.guildId);
    requireRole(actorOf(interaction), current, "admin", "change Herald's settings");
    if (interaction.options.getSubcommand() === "show") return describeSettings(current);
    if (interaction.options.getSubcommand() === "postback") {
      const { rotate } = parseOptions(postbackOptions, {
        rotate: given(interaction.options.getBoolean("rotate")),
      });
      if (ctx.postbacks === undefined) {
        throw new DomainError(
          "invalid_input",
          "Postbacks need Herald's web server: set HERALD_PUBLIC_URL to the address networks reach Herald at, and restart.",
        );
      }
      const token = await ctx.postbacks.tokens.token(ctx.guildId, rotate);
      return describePostback(ctx.postbacks.publicUrl, token, rotate);
    }
    const o = parseOptions(setOptions, {
      approvalChannelId: given(interaction.options.getChannel("approval_channel"))?.id,
      reportChannelId: given(interaction.options.getChannel("report_channel"))?.id,
      approverRoleId: given(interaction.options.getRole("approver_role"))?.id,
      managerRoleId: given(interaction.options.getRole("manager_role"))?.id,
      timezone: given(interaction.options.getString("timezone")),
      reportTime: given(interaction.options.getString("report_time")),
      lateGraceMinutes: given(interaction.options.getInteger("late_grace_minutes")),
      requireSecondApprover: given(interaction.options.getBoolean("require_second_approver")),
      clear: given(interaction.options.getString("clear")),
      xMonthlyBudget: given(interaction.options.getNumber("x_monthly_budget")),
      xBudgetStopsPosting: given(interaction.options.getBoolean("x_budget_stops_posting")),
      currency: given(interaction.options.getString("currency")),
    });
    const updated = await ctx.settings.update(ctx.guildId, o, auditActor(interaction));
    const moved =
      o.approvalChannelId === undefined
        ? 0
        : await ctx.approvals.showWaiting(ctx.guildId, o.approvalChannelId);
    const waiting =
      moved === 0 ? "" : `\n${moved} post(s) waiting for approval are now shown there.`;
    return `Saved.\n${describeSettings(updated)}${waiting}`;
  },

  async autocomplete(interaction) {
    await interaction.respond(timezoneChoices(interaction.options.getFocused()));
  },
};
