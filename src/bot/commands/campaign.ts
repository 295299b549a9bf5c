import {
  type ChatInputCommandInteraction,
  SlashCommandBuilder,
  type SlashCommandStringOption,
  type SlashCommandSubcommandBuilder,
} from "discord.js";
import { z } from "zod";
import { AUTOPILOT_LIMITS } from "../../domain/autopilot.ts";
import type { Campaign } from "../../domain/campaigns.ts";
import { requireRole } from "../../domain/roles.ts";
import { actorOf, auditActor } from "../actor.ts";
import { archiveConfirmation } from "../campaign-actions.ts";
import type { BotContext, Command, Reply } from "../context.ts";
import { pageButtonId } from "../custom-ids.ts";
import { given, parseOptions } from "../options.ts";
import { PAGE_SIZE, pageReply, pageStart } from "../paging.ts";
import { accountChoices, campaignChoices, timezoneChoices } from "./autocomplete.ts";

/**
 * The options create and edit share. Create requires name, niche and times; edit requires
 * nothing but the campaign, and "none" removes a link or disclosure tag.
 */
function campaignFields(sub: SlashCommandSubcommandBuilder, forCreate: boolean) {
  return sub
    .addStringOption((o) =>
      o.setName("name").setDescription("Campaign name").setRequired(forCreate).setMaxLength(80),
    )
    .addStringOption((o) =>
      o
        .setName("niche")
        .setDescription("Niche label, e.g. gadgets")
        .setRequired(forCreate)
        .setMaxLength(40),
    )
    .addStringOption((o) =>
      o
        .setName("times")
        .setDescription("Posting times, e.g. 09:00,15:00,21:00")
        .setRequired(forCreate)
        .setMaxLength(200),
    )
    .addStringOption((o) =>
      o
        .setName("timezone")
        .setDescription("IANA time zone, e.g. Europe/Berlin")
        .setAutocomplete(true)
        .setMaxLength(64),
    )
    .addStringOption((o) =>
      o.setName("days").setDescription('"daily" or mon,tue,…').setMaxLength(60),
    )
    .addStringOption((o) =>
      o
        .setName("link")
        .setDescription(
          forCreate ? "Default affiliate link" : 'Default affiliate link ("none" removes it)',
        )
        .setMaxLength(2048),
    )
    .addBooleanOption((o) =>
      o.setName("adult").setDescription("Adult campaign: sensitive media, stricter content rules"),
    )
    .addNumberOption((o) =>
      o
        .setName("epc")
        .setDescription("Estimated earnings per click")
        .setMinValue(0)
        .setMaxValue(10_000),
    )
    .addStringOption((o) =>
      o
        .setName("account")
        .setDescription("X account handle to post as")
        .setAutocomplete(true)
        .setMaxLength(50),
    )
    .addStringOption((o) =>
      o
        .setName("disclosure_tag")
        .setDescription(
          forCreate
            ? "A tag every post must contain, e.g. #ad"
            : 'A tag every post must contain, e.g. #ad ("none" removes it)',
        )
        // Longer than the 30 the rules allow, so a long tag gets Herald's explanation.
        .setMaxLength(100),
    )
    .addBooleanOption((o) =>
      o
        .setName("paid_partnership")
        .setDescription('X\'s "paid promotion" label on posts with a link (default on)'),
    );
}

/** The campaign a subcommand acts on: required, autocompleted. */
function requiredCampaign(option: SlashCommandStringOption): SlashCommandStringOption {
  return option
    .setName("campaign")
    .setDescription("Campaign")
    .setRequired(true)
    .setAutocomplete(true)
    .setMaxLength(80);
}

const data = new SlashCommandBuilder()
  .setName("campaign")
  .setDescription("Create and manage campaigns")
  .addSubcommand((sub) =>
    campaignFields(sub.setName("create").setDescription("Create a campaign"), true),
  )
  .addSubcommand((sub) =>
    campaignFields(
      sub.setName("edit").setDescription("Change a campaign").addStringOption(requiredCampaign),
      false,
    )
      .addBooleanOption((o) =>
        o
          .setName("tracking")
          .setDescription(
            "Send links through Herald's own tracked redirect (needs HERALD_PUBLIC_URL)",
          ),
      )
      .addStringOption((o) =>
        o
          .setName("click_param")
          .setDescription(
            "The network's click-id parameter: subid, sid, subId1, clickref, tid, aff_sub…",
          )
          .setMaxLength(100),
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
      .addStringOption(requiredCampaign),
  )
  .addSubcommand((sub) =>
    sub
      .setName("resume")
      .setDescription("Resume a paused campaign")
      .addStringOption(requiredCampaign),
  )
  .addSubcommand((sub) =>
    sub
      .setName("autopilot")
      .setDescription("Let the campaign fill its free slots from its library (every post approved)")
      .addStringOption(requiredCampaign)
      .addBooleanOption((o) => o.setName("enabled").setDescription("On or off").setRequired(true))
      .addIntegerOption((o) =>
        o
          .setName("days_ahead")
          .setDescription(
            `How many days ahead to fill (default ${AUTOPILOT_LIMITS.daysAhead.default})`,
          )
          .setMinValue(AUTOPILOT_LIMITS.daysAhead.min)
          .setMaxValue(AUTOPILOT_LIMITS.daysAhead.max),
      )
      .addIntegerOption((o) =>
        o
          .setName("min_repeat_days")
          .setDescription(
            `Days before an item is used again (default ${AUTOPILOT_LIMITS.minRepeatDays.default})`,
          )
          .setMinValue(AUTOPILOT_LIMITS.minRepeatDays.min)
          .setMaxValue(AUTOPILOT_LIMITS.minRepeatDays.max),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("archive")
      .setDescription("Archive a campaign, cancelling its waiting posts (asks first)")
      .addStringOption(requiredCampaign),
  );

const text = (max: number) => z.string().trim().min(1).max(max);
const fieldOptions = z.object({
  name: text(80).optional(),
  niche: text(40).optional(),
  times: text(200).optional(),
  timezone: text(64).optional(),
  days: text(60).optional(),
  link: text(2048).optional(),
  adult: z.boolean().optional(),
  epc: z.number().finite().min(0).max(10_000).optional(),
  account: text(50).optional(),
  disclosure_tag: text(100).optional(),
  paid_partnership: z.boolean().optional(),
});
const createOptions = fieldOptions.required({ name: true, niche: true, times: true });
const editOptions = fieldOptions.extend({
  campaign: text(80),
  tracking: z.boolean().optional(),
  click_param: text(100).optional(),
});
const campaignOption = z.object({ campaign: text(80) });
const autopilotOptions = campaignOption.extend({
  enabled: z.boolean(),
  days_ahead: z.number().int().optional(),
  min_repeat_days: z.number().int().optional(),
});

/** The create and edit options as the member gave them (null → undefined for zod). */
function fieldsOf(interaction: ChatInputCommandInteraction) {
  const o = interaction.options;
  return {
    name: given(o.getString("name")),
    niche: given(o.getString("niche")),
    times: given(o.getString("times")),
    timezone: given(o.getString("timezone")),
    days: given(o.getString("days")),
    link: given(o.getString("link")),
    adult: given(o.getBoolean("adult")),
    epc: given(o.getNumber("epc")),
    account: given(o.getString("account")),
    disclosure_tag: given(o.getString("disclosure_tag")),
    paid_partnership: given(o.getBoolean("paid_partnership")),
  };
}

function describe(campaign: Campaign): string {
  const days = campaign.schedule.days === "daily" ? "daily" : campaign.schedule.days.join(", ");
  return [
    `**${campaign.name}** (${campaign.status}) · niche ${campaign.niche}`,
    `Slots: ${days} at ${campaign.schedule.times.join(", ")} (${campaign.timezone})`,
    `Default link: ${campaign.defaultLink ?? "none"} · EPC ${campaign.epc}${campaign.adult ? " · adult" : ""}${campaign.disclosureTag === null ? "" : ` · disclosure tag ${campaign.disclosureTag}`}${campaign.paidPartnership ? "" : " · no paid-partnership label"}`,
    `Tracking: ${campaign.tracking === null ? "default" : campaign.tracking ? "on" : "off"} · click id in ${campaign.clickParam}`,
    campaign.autopilotEnabled
      ? `Autopilot: on, ${campaign.autopilotDaysAhead} days ahead, an item at most once in ${campaign.autopilotMinRepeatDays} days`
      : "Autopilot: off",
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
        const o = parseOptions(createOptions, fieldsOf(interaction));
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
            disclosureTag: o.disclosure_tag,
            paidPartnership: o.paid_partnership,
          },
          auditActor(interaction),
        );
        const posting =
          account === null
            ? "No X account yet: connect one with /x connect."
            : `Posts as @${account.handle}.`;
        return `Created campaign ${describe(campaign)}\n${posting}`;
      }
      case "edit": {
        requireRole(actor, settings, "content_manager", "edit campaigns");
        const {
          campaign: name,
          account,
          ...o
        } = parseOptions(editOptions, {
          campaign: interaction.options.getString("campaign"),
          ...fieldsOf(interaction),
          tracking: given(interaction.options.getBoolean("tracking")),
          click_param: given(interaction.options.getString("click_param")),
        });
        const xAccount =
          account === undefined ? undefined : await ctx.accounts.pick(ctx.guildId, account);
        const edit = await ctx.campaigns.edit(
          ctx.guildId,
          name,
          {
            name: o.name,
            niche: o.niche,
            times: o.times,
            days: o.days,
            timezone: o.timezone,
            link: o.link,
            adult: o.adult,
            epc: o.epc,
            xAccountId: xAccount?.id,
            disclosureTag: o.disclosure_tag,
            paidPartnership: o.paid_partnership,
            tracking: o.tracking,
            clickParam: o.click_param,
          },
          auditActor(interaction),
        );
        const sentBack =
          edit.sentBack.length === 0
            ? ""
            : `\n${edit.sentBack.length} approved post${edit.sentBack.length === 1 ? "" : "s"} went back to approval.`;
        return `Changed campaign ${describe(edit.campaign)}${sentBack}`;
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
      case "resume": {
        requireRole(actor, settings, "content_manager", `${sub} campaigns`);
        const { campaign } = parseOptions(campaignOption, {
          campaign: interaction.options.getString("campaign"),
        });
        const moved = await ctx.campaigns[sub](ctx.guildId, campaign, auditActor(interaction));
        return `Campaign **${moved.name}** is now ${moved.status}.`;
      }
      case "autopilot": {
        requireRole(actor, settings, "content_manager", "set autopilot");
        const o = parseOptions(autopilotOptions, {
          campaign: interaction.options.getString("campaign"),
          enabled: interaction.options.getBoolean("enabled"),
          days_ahead: given(interaction.options.getInteger("days_ahead")),
          min_repeat_days: given(interaction.options.getInteger("min_repeat_days")),
        });
        const campaign = await ctx.autopilot.configure(
          ctx.guildId,
          o.campaign,
          { enabled: o.enabled, daysAhead: o.days_ahead, minRepeatDays: o.min_repeat_days },
          auditActor(interaction),
        );
        return campaign.autopilotEnabled
          ? `Autopilot is on for **${campaign.name}**: free slots of the next ${campaign.autopilotDaysAhead} days are filled from its library (/content add, /content import), an item at most once in ${campaign.autopilotMinRepeatDays} days. Every post waits for approval; the approval channel gets an "Approve all" list.`
          : `Autopilot is off for **${campaign.name}**. Posts it already queued stay as they are.`;
      }
      case "archive": {
        requireRole(actor, settings, "content_manager", "archive campaigns");
        const { campaign } = parseOptions(campaignOption, {
          campaign: interaction.options.getString("campaign"),
        });
        const preview = await ctx.campaigns.archivePreview(ctx.guildId, campaign);
        return archiveConfirmation(preview.campaign, preview.waiting);
      }
      default:
        return `Unknown subcommand ${sub}.`;
    }
  },

  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused(true);
    switch (focused.name) {
      case "timezone":
        return interaction.respond(timezoneChoices(focused.value));
      case "account":
        return interaction.respond(await accountChoices(ctx, focused.value));
      default: {
        const liveOnly = interaction.options.getSubcommand() !== "show";
        return interaction.respond(await campaignChoices(ctx, focused.value, { liveOnly }));
      }
    }
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
