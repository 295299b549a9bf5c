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
import { X_POST_CAPS, type XAccount } from "../../domain/x-accounts.ts";
import { actorOf, auditActor } from "../actor.ts";
import type { BotContext, Command, Reply } from "../context.ts";
import { X_CONNECT_MODAL_ID } from "../custom-ids.ts";
import { given, parseOptions } from "../options.ts";
import { campaignsOn, disconnectConfirmation } from "../x-actions.ts";
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
      .setName("disconnect")
      .setDescription("Take an X account off Herald; its campaigns' posts wait")
      .addStringOption((o) =>
        o
          .setName("account")
          .setDescription("The X account")
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(50),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("budget")
      .setDescription("An X account's posting budgets and how its metrics are read")
      .addStringOption((o) =>
        o
          .setName("account")
          .setDescription("The X account")
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(50),
      )
      .addIntegerOption((o) =>
        o
          .setName("per_24h")
          // No min/max for Discord to enforce: Herald's refusal says why (X's caps).
          .setDescription(`Posts per 24 hours (1 to ${X_POST_CAPS.per24h})`),
      )
      .addIntegerOption((o) =>
        o
          .setName("per_15min")
          .setDescription(`Posts per 15 minutes (1 to ${X_POST_CAPS.per15Min})`),
      )
      .addBooleanOption((o) =>
        o
          .setName("owns_app")
          .setDescription(
            "The account owns Herald's X developer app: metrics are read at $0.001 a post",
          ),
      ),
  );

const ACTIONS: Record<string, string> = {
  connect: "connect X accounts",
  accounts: "list X accounts",
  disconnect: "disconnect X accounts",
  budget: "set X account budgets",
};

const handle = z.string().trim().min(1, "name an account").max(50);
const disconnectOptions = z.object({ account: handle });
// The caps are checked again by the domain, with a message that says why.
const budgetOptions = z.object({
  account: handle,
  per_24h: z.number().int().optional(),
  per_15min: z.number().int().optional(),
  owns_app: z.boolean().optional(),
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

  async execute(interaction, ctx) {
    const settings = await ctx.settings.get(ctx.guildId);
    const sub = interaction.options.getSubcommand();
    requireRole(actorOf(interaction), settings, "admin", ACTIONS[sub] ?? "manage X accounts");
    switch (sub) {
      case "accounts":
        return listAccounts(ctx);
      case "disconnect": {
        const o = parseOptions(disconnectOptions, {
          account: interaction.options.getString("account"),
        });
        const account = await ctx.accounts.byHandle(ctx.guildId, o.account);
        return disconnectConfirmation(account, await campaignsOn(ctx, account.id));
      }
      case "budget": {
        const o = parseOptions(budgetOptions, {
          account: interaction.options.getString("account"),
          per_24h: given(interaction.options.getInteger("per_24h")),
          per_15min: given(interaction.options.getInteger("per_15min")),
          owns_app: given(interaction.options.getBoolean("owns_app")),
        });
        const limits = o.per_24h !== undefined || o.per_15min !== undefined;
        if (!limits && o.owns_app === undefined) {
          throw new DomainError(
            "invalid_input",
            "Nothing to change: give per_24h, per_15min or owns_app.",
          );
        }
        let account = limits
          ? await ctx.accounts.setBudget(
              ctx.guildId,
              o.account,
              {
                ...(o.per_24h === undefined ? {} : { postsPer24h: o.per_24h }),
                ...(o.per_15min === undefined ? {} : { postsPer15Min: o.per_15min }),
              },
              auditActor(interaction),
            )
          : await ctx.accounts.byHandle(ctx.guildId, o.account);
        if (o.owns_app !== undefined) {
          account = await ctx.accounts.setOwnsApp(
            ctx.guildId,
            account.handle,
            o.owns_app,
            auditActor(interaction),
          );
        }
        const reads = account.ownsApp
          ? "metrics read through its own timeline ($0.001 a post)"
          : "metrics read with post lookups ($0.005 a post)";
        return `Budget of @${account.handle}: ${budgetText(ctx, account)} · ${reads}.`;
      }
      default:
        return `Unknown subcommand ${sub}.`;
    }
  },

  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused(true);
    if (focused.name !== "account") return interaction.respond([]);
    return interaction.respond(await accountChoices(ctx, focused.value));
  },
};

const STATUS_TEXT: Record<XAccount["status"], string> = {
  active: "active",
  invalid: "X refused its keys: reconnect it (/x connect)",
  disconnected: "disconnected, its posts wait (/x connect brings it back)",
};

/** "17 per 24 h (set) · 100 per 15 min (default)". */
function budgetText(ctx: BotContext, account: XAccount): string {
  const { per24h, per15Min } = ctx.accounts.budgetOf(account);
  const origin = (set: boolean) => (set ? "set" : "default");
  return `${per24h.value} per 24 h (${origin(per24h.set)}) · ${per15Min.value} per 15 min (${origin(per15Min.set)})`;
}

async function listAccounts(ctx: BotContext): Promise<Reply> {
  const accounts = await ctx.accounts.list(ctx.guildId);
  if (accounts.length === 0) return "No X account is connected. Use /x connect.";
  return accounts
    .map(
      (account) =>
        `@${account.handle}${ctx.accounts.isDefault(account) ? " (default, from X_API_*)" : ""} · ${STATUS_TEXT[account.status]} · ${budgetText(ctx, account)}${account.ownsApp ? " · owns the app" : ""}`,
    )
    .join("\n")
    .slice(0, 1900);
}
