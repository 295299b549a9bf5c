import {
  ActionRowBuilder,
  ModalBuilder,
  PermissionFlagsBits,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { requireRole } from "../../domain/roles.ts";
import { actorOf, auditActor } from "../actor.ts";
import type { Command } from "../context.ts";
import { X_CONNECT_MODAL_ID } from "../custom-ids.ts";
import { given, parseOptions } from "../options.ts";
import { accountChoices } from "./autocomplete.ts";

const data = new SlashCommandBuilder()
  .setName("x")
  .setDescription("Connect and list X accounts")
  // A first filter in Discord's UI; Herald checks the permission again on every use.
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((sub) =>
    sub.setName("connect").setDescription("Connect an X account (OAuth 1.0a keys)"),
  )
  .addSubcommand((sub) => sub.setName("accounts").setDescription("List connected X accounts"))
  .addSubcommand((sub) =>
    sub
      .setName("budget")
      .setDescription("An X account's limits and how its metrics are read")
      .addStringOption((o) =>
        o
          .setName("account")
          .setDescription("The X account")
          .setRequired(true)
          .setMaxLength(100)
          .setAutocomplete(true),
      )
      .addBooleanOption((o) =>
        o
          .setName("owns_app")
          .setDescription(
            "The account owns Herald's X developer app: metrics are read at $0.001 a post",
          ),
      ),
  );

const budgetOptions = z.object({
  account: z.string().trim().min(1).max(100),
  ownsApp: z.boolean().optional(),
});

/** Said after a connect: when owns_app pays off. */
export const OWNS_APP_HINT =
  "If this account is the one that owns the X developer app these keys come from, turn on /x budget owns_app: Herald then reads its metrics through its own timeline, which X bills at $0.001 a post instead of $0.005.";

export const X_CONNECT_FIELDS = [
  { id: "api_key", label: "API key (consumer key)" },
  { id: "api_secret", label: "API key secret (consumer secret)" },
  { id: "access_token", label: "Access token" },
  { id: "access_secret", label: "Access token secret" },
] as const;

function connectModal(): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(X_CONNECT_MODAL_ID)
    .setTitle("Connect an X account")
    .addComponents(
      X_CONNECT_FIELDS.map((field) =>
        new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder()
            .setCustomId(field.id)
            .setLabel(field.label)
            .setStyle(TextInputStyle.Short)
            .setRequired(true)
            .setMinLength(8)
            .setMaxLength(200),
        ),
      ),
    );
}

export const xCommand: Command = {
  data: data.toJSON(),

  modal(interaction) {
    // Only admins may see the modal; the check needs no database (Manage Server permission).
    if (interaction.options.getSubcommand() !== "connect" || !actorOf(interaction).canManageGuild)
      return null;
    return connectModal();
  },

  async autocomplete(interaction, ctx) {
    await interaction.respond(await accountChoices(ctx, interaction.options.getFocused()));
  },

  async execute(interaction, ctx) {
    const settings = await ctx.settings.get(ctx.guildId);
    const sub = interaction.options.getSubcommand();
    requireRole(
      actorOf(interaction),
      settings,
      "admin",
      sub === "connect"
        ? "connect X accounts"
        : sub === "budget"
          ? "change X accounts"
          : "list X accounts",
    );
    if (sub === "budget") {
      const o = parseOptions(budgetOptions, {
        account: interaction.options.getString("account"),
        ownsApp: given(interaction.options.getBoolean("owns_app")),
      });
      if (o.ownsApp === undefined) {
        throw new DomainError("invalid_input", "Nothing to change: give owns_app.");
      }
      const account = await ctx.accounts.setOwnsApp(
        ctx.guildId,
        o.account,
        o.ownsApp,
        auditActor(interaction),
      );
      return account.ownsApp
        ? `@${account.handle} owns the app: its metrics are read through its own timeline ($0.001 a post).`
        : `@${account.handle} does not own the app: its metrics are read with post lookups ($0.005 a post).`;
    }
    if (sub !== "accounts") return `Unknown subcommand ${sub}.`;
    const accounts = await ctx.accounts.list(ctx.guildId);
    if (accounts.length === 0) return "No X account is connected. Use /x connect.";
    return accounts
      .map(
        (account) =>
          `@${account.handle} · ${account.status === "active" ? "active" : "needs reconnecting (/x connect)"} · budget ${account.postsPer24h ?? "default"} posts a day${account.ownsApp ? " · owns the app" : ""}`,
      )
      .join("\n");
  },
};
