import { SlashCommandBuilder } from "discord.js";
import { z } from "zod";
import type { Campaign } from "../../domain/campaigns.ts";
import { requireRole } from "../../domain/roles.ts";
import { actorOf, auditActor } from "../actor.ts";
import type { BotContext, Command, Reply } from "../context.ts";
import { pageButtonId } from "../custom-ids.ts";
import { given, parseOptions } from "../options.ts";
import { PAGE_SIZE, pageReply, pageStart } from "../paging.ts";
import { campaignChoices } from "./autocomplete.ts";

const data = new SlashCommandBuilder()
  .setName("campaign")
  .setDescription("Create and manage campaigns")
  .addSubcommand((sub) =>
    sub
      .setName("create")
      .setDescription("Create a campaign")
      .addStringOption((o) =>
        o.setName("name").setDescription("Campaign name").setRequired(true).setMaxLength(80),
      )
      .addStringOption((o) =>
        o
          .setName("niche")
          .setDescription("Niche label, e.g. gadgets")
          .setRequired(true)
          .setMaxLength(40),
      )
      .addStringOption((o) =>
        o
          .setName("times")
          .setDescription("Posting times, e.g. 09:00,15:00,21:00")
          .setRequired(true)
          .setMaxLength(200),
      )
      .addStringOption((o) =>
        o.setName("timezone").setDescription("IANA time zone, e.g. Europe/Berlin").setMaxLength(64),
      )
      .addStringOption((o) =>
        o.setName("days").setDescription('"daily" or mon,tue,…').setMaxLength(60),
      )
      .addStringOption((o) =>
        o.setName("link").setDescription("Default affiliate link").setMaxLength(2048),
      )
      .addBooleanOption((o) =>
        o
          .setName("adult")
          .setDescription("Adult campaign: sensitive media, stricter content rules"),
      )
      .addNumberOption((o) =>
        o
          .setName("epc")
          .setDescription("Estimated earnings per click")
          .setMinValue(0)
          .setMaxValue(10_000),
      )
      .addStringOption((o) =>
        o.setName("account").setDescription("X account handle to post as").setMaxLength(50),
      ),
  )
  .addSubcommand((sub) => sub.setName("list").setDescription("List campaigns"))
  .addSubcommand((sub) =>
    sub
      .setName("show")
      .setDescription("Show a campaign")
      .addStringOption((o) =>
        o.setName("campaign").setDescription("Campaign").setAutocomplete(true).setMaxLength(80),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("pause")
      .setDescription("Pause a campaign: its posts wait")
      .addStringOption((o) =>
        o
          .setName("campaign")
          .setDescription("Campaign")
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(80),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("resume")
      .setDescription("Resume a paused campaign")
      .addStringOption((o) =>
        o
          .setName("campaign")
          .setDescription("Campaign")
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(80),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("archive")
      .setDescription("Archive a campaign")
      .addStringOption((o) =>
        o
          .setName("campaign")
          .setDescription("Campaign")
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(80),
      ),
  );

const text = (max: number) => z.string().trim().min(1).max(max);
const createOptions = z.object({
  name: text(80),
  niche: text(40),
  times: text(200),
  timezone: text(64).optional(),
  days: text(60).optional(),
  link: text(2048).optional(),
  adult: z.boolean().optional(),
  epc: z.number().finite().min(0).max(10_000).optional(),
  account: text(50).optional(),
});
const campaignOption = z.object({ campaign: text(80) });

function describe(campaign: Campaign): string {
  const days = campaign.schedule.days === "daily" ? "daily" : campaign.schedule.days.join(", ");
  return [
    `**${campaign.name}** (${campaign.status}) · niche ${campaign.niche}`,
    `Slots: ${days} at ${campaign.schedule.times.join(", ")} (${campaign.timezone})`,
    `Default link: ${campaign.defaultLink ?? "none"} · EPC ${campaign.epc}${campaign.adult ? " · adult" : ""}`,
  ].join("\n");
}

export const campaignCommand: Command = {
  data: data.toJSON(),

  async execute(interaction, ctx) {
    const sub = interaction.options.getSubcommand();
    const actor = actorOf(interaction);
    const settings = await ctx.settings.get(ctx.guildId);
    switch (sub) {
      case "create": {
        requireRole(actor, settings, "content_manager", "create campaigns");
        const o = parseOptions(createOptions, {
          name: interaction.options.getString("name"),
          niche: interaction.options.getString("niche"),
          times: interaction.options.getString("times"),
          timezone: given(interaction.options.getString("timezone")),
          days: given(interaction.options.getString("days")),
          link: given(interaction.options.getString("link")),
          adult: given(interaction.options.getBoolean("adult")),
          epc: given(interaction.options.getNumber("epc")),
          account: given(interaction.options.getString("account")),
        });
        const account = await ctx.accounts.pick(ctx.guildId, o.account);
        const campaign = await ctx.campaigns.create(
          {
            guildId: ctx.guildId,
            name: o.name,
            niche: o.niche,
            times: o.times,
            days: o.days,
            timezone: o.timezone ?? settings.timezone,
            link: o.link,
            adult: o.adult,
            epc: o.epc,
            xAccountId: account?.id ?? null,
          },
          auditActor(interaction),
        );
        const posting =
          account === null
            ? "No X account yet: connect one with /x connect."
            : `Posts as @${account.handle}.`;
        return `Created campaign ${describe(campaign)}\n${posting}`;
      }
      case "list":
        return campaignsPage(ctx, 0);
      case "show": {
        const name = interaction.options.getString("campaign");
        if (name === null) {
          const campaigns = await ctx.campaigns.list(ctx.guildId);
          return campaigns.length === 0
            ? "No campaigns yet."
            : campaigns.map(describe).join("\n\n").slice(0, 1900);
        }
        const { campaign } = parseOptions(campaignOption, { campaign: name });
        return describe(await ctx.campaigns.get(ctx.guildId, campaign));
      }
      case "pause":
      case "resume":
      case "archive": {
        requireRole(actor, settings, "content_manager", `${sub} campaigns`);
        const { campaign } = parseOptions(campaignOption, {
          campaign: interaction.options.getString("campaign"),
        });
        const moved = await ctx.campaigns[sub](ctx.guildId, campaign, auditActor(interaction));
        return `Campaign **${moved.name}** is now ${moved.status}.`;
      }
      default:
        return `Unknown subcommand ${sub}.`;
    }
  },

  async autocomplete(interaction, ctx) {
    await interaction.respond(await campaignChoices(ctx, interaction.options.getFocused()));
  },
};

/** A page of /campaign list, by name; its buttons carry the position. */
export async function campaignsPage(ctx: BotContext, offset: number): Promise<Reply> {
  const total = await ctx.campaigns.count(ctx.guildId);
  const start = pageStart(offset, total);
  const campaigns = await ctx.campaigns.list(ctx.guildId, { offset: start, limit: PAGE_SIZE });
  return pageReply({
    noun: "Campaigns",
    filters: [],
    empty: "No campaigns yet. Create one with /campaign create.",
    total,
    offset: start,
    entries: campaigns.map(describe),
    separator: "\n\n",
    idAt: (at) => pageButtonId({ list: "campaigns", offset: at }),
  });
}
