import {
  ActionRowBuilder,
  ModalBuilder,
  PermissionFlagsBits,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import { requireRole } from "../../domain/roles.ts";
import { actorOf } from "../actor.ts";
import type { Command } from "../context.ts";
import { X_CONNECT_MODAL_ID } from "../custom-ids.ts";

const data = new SlashCommandBuilder()
  .setName("x")
  .setDescription("Connect and list X accounts")
  // A first filter in Discord's UI; Herald checks the permission again on every use.
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((sub) =>
    sub.setName("connect").setDescription("Connect an X account (OAuth 1.0a keys)"),
  )
  .addSubcommand((sub) => sub.setName("accounts").setDescription("List connected X accounts"));

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

  async execute(interaction, ctx) {
    const settings = await ctx.settings.get(ctx.guildId);
    const sub = interaction.options.getSubcommand();
    requireRole(
      actorOf(interaction),
      settings,
      "admin",
      sub === "connect" ? "connect X accounts" : "list X accounts",
    );
    if (sub !== "accounts") return `Unknown subcommand ${sub}.`;
    const accounts = await ctx.accounts.list(ctx.guildId);
    if (accounts.length === 0) return "No X account is connected. Use /x connect.";
    return accounts
      .map(
        (account) =>
          `@${account.handle} · ${account.status === "active" ? "active" : "needs reconnecting (/x connect)"} · budget ${account.postsPer24h ?? "default"} posts a day`,
      )
      .join("\n");
  },
};
