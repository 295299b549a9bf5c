import {
  ActionRowBuilder,
  type ApplicationCommandOptionChoiceData,
  ModalBuilder,
  type ModalSubmitInteraction,
  SlashCommandBuilder,
  type SlashCommandIntegerOption,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { EXPERIMENT_METRICS } from "../../domain/experiment-verdict.ts";
import { type Experiment, VARIANT_LABELS } from "../../domain/experiments.ts";
import { requireRole } from "../../domain/roles.ts";
import { formatLocal } from "../../domain/schedule.ts";
import { actorOf, auditActor } from "../actor.ts";
import type { BotContext, Command, Reply } from "../context.ts";
import { type ExperimentFormTarget, experimentFormId } from "../custom-ids.ts";
import { given, parseOptions } from "../options.ts";
import { experimentMessage, experimentTitle } from "../render/experiment-message.ts";
import { campaignChoices } from "./autocomplete.ts";

const MAX_SAMPLE = 10_000_000;
const MAX_VARIANT_LENGTH = 1000;
const MAX_CHOICES = 25;

const experimentOption = (o: SlashCommandIntegerOption) =>
  o.setName("experiment").setDescription("The experiment").setRequired(true).setAutocomplete(true);

const data = new SlashCommandBuilder()
  .setName("experiment")
  .setDescription("A/B tests of post texts")
  .addSubcommand((s) =>
    s
      .setName("create")
      .setDescription("Test 2 to 4 texts against each other (a form asks for them)")
      .addStringOption((o) =>
        o
          .setName("campaign")
          .setDescription("The campaign whose slots the variants take turns in")
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(80),
      )
      .addStringOption((o) =>
        o
          .setName("metric")
          .setDescription("What decides (default ctr)")
          .addChoices(
            { name: "ctr: human clicks / impressions", value: "ctr" },
            { name: "conversion: conversions / human clicks", value: "conversion" },
            { name: "epc: revenue / human click", value: "epc" },
          ),
      )
      .addIntegerOption((o) =>
        o
          .setName("sample")
          .setDescription("Per variant: impressions (ctr, default 1000) or clicks (default 100)")
          .setMinValue(1)
          .setMaxValue(MAX_SAMPLE),
      ),
  )
  .addSubcommand((s) => s.setName("list").setDescription("The server's experiments"))
  .addSubcommand((s) =>
    s
      .setName("show")
      .setDescription("Verdict, rates with intervals and a chart")
      .addIntegerOption(experimentOption),
  )
  .addSubcommand((s) =>
    s
      .setName("stop")
      .setDescription("Stop queueing an experiment's posts")
      .addIntegerOption(experimentOption),
  );

const createOptions = z.object({
  campaign: z.string().trim().min(1).max(80),
  metric: z.enum(EXPERIMENT_METRICS).optional(),
  sample: z.number().int().min(1).max(MAX_SAMPLE).optional(),
});
const experimentId = z.object({ experiment: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

function variantForm(target: ExperimentFormTarget, campaignName: string): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(experimentFormId(target))
    .setTitle(`Experiment in ${campaignName}`.slice(0, 45))
    .addComponents(
      VARIANT_LABELS.map((label, index) =>
        new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder()
            .setCustomId(`variant-${label}`)
            .setLabel(index < 2 ? `Variant ${label}` : `Variant ${label} (optional)`)
            .setStyle(TextInputStyle.Paragraph)
            .setRequired(index < 2)
            .setMaxLength(MAX_VARIANT_LENGTH),
        ),
      ),
    );
}

/** A submitted /experiment create form. */
export async function submitExperimentForm(
  interaction: ModalSubmitInteraction,
  target: ExperimentFormTarget,
  ctx: BotContext,
): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "content_manager", "create experiments");
  const texts = parseOptions(
    z.array(z.string().max(MAX_VARIANT_LENGTH)),
    VARIANT_LABELS.map((label) => {
      try {
        return interaction.fields.getTextInputValue(`variant-${label}`);
      } catch {
        return ""; // a field Discord did not send back is an empty one
      }
    }),
  );
  const campaign = await ctx.campaigns.getById(target.campaignId);
  if (campaign.guildId !== ctx.guildId) {
    throw new DomainError("campaign_not_found", "That campaign is not in this server.");
  }
  const { experiment, queued } = await ctx.experiments.create(
    {
      guildId: ctx.guildId,
      campaign: campaign.name,
      metric: target.metric,
      ...(target.sample === null ? {} : { sample: target.sample }),
      texts,
    },
    auditActor(interaction),
  );
  const first = queued[0];
  return [
    `${experimentTitle(experiment)} started in ${campaign.name}: variants ${experiment.variants.map((v) => v.label).join(", ")}, metric ${experiment.metric}, ${experiment.samplePerVariant.toLocaleString("en-US")} ${experiment.metric === "ctr" ? "impressions" : "human clicks"} per variant, ${Math.round(experiment.confidence * 100)} % confidence.`,
    first === undefined
      ? "No post is queued yet (no free slot in the next days, or the campaign is paused); the hourly job queues them as slots come up."
      : `Queued ${queued.length} posts for approval, the first for ${formatLocal(first.scheduledAt, campaign.timezone)}; the variants take turns across the slots, and more are queued as the days pass.`,
    "No winner is named before every variant reached the planned sample: /experiment show shows the numbers so far.",
  ].join("\n");
}

function experimentLine(experiment: Experiment, campaignName: string): string {
  return `#${experiment.id} · ${campaignName} · ${experiment.status} · ${experiment.metric} · ${experiment.variants.length} variants`;
}

async function listExperiments(ctx: BotContext): Promise<string> {
  const experiments = await ctx.experiments.list(ctx.guildId);
  if (experiments.length === 0) {
    return "No experiments yet. /experiment create starts one.";
  }
  const lines = await Promise.all(
    experiments
      .slice(0, 10)
      .map(async (e) => experimentLine(e, (await ctx.campaigns.getById(e.campaignId)).name)),
  );
  return lines.join("\n");
}

/** The guild's experiments matching what was typed (a number, or words of a campaign or text). */
export async function experimentChoices(
  ctx: BotContext,
  typed: string,
  { runningOnly = false }: { runningOnly?: boolean } = {},
): Promise<ApplicationCommandOptionChoiceData<number>[]> {
  const needle = typed.trim().replace(/^#/, "").toLowerCase();
  const experiments = await ctx.experiments.list(
    ctx.guildId,
    runningOnly ? ["running"] : undefined,
  );
  const choices: ApplicationCommandOptionChoiceData<number>[] = [];
  for (const experiment of experiments) {
    const campaign = await ctx.campaigns.getById(experiment.campaignId);
    const name = experimentLine(experiment, campaign.name);
    const haystack = [name, ...experiment.variants.map((v) => v.text)].join(" ").toLowerCase();
    if (needle !== "" && !haystack.includes(needle)) continue;
    choices.push({ name: name.slice(0, 100), value: experiment.id });
    if (choices.length === MAX_CHOICES) break;
  }
  return choices;
}

export const experimentCommand: Command = {
  data: data.toJSON(),

  async modal(interaction, ctx) {
    if (interaction.options.getSubcommand() !== "create") return null;
    const settings = await ctx.settings.get(ctx.guildId);
    requireRole(actorOf(interaction), settings, "content_manager", "create experiments");
    const o = parseOptions(createOptions, {
      campaign: interaction.options.getString("campaign"),
      metric: given(interaction.options.getString("metric")),
      sample: given(interaction.options.getInteger("sample")),
    });
    const campaign = await ctx.campaigns.get(ctx.guildId, o.campaign);
    const metric = o.metric ?? "ctr";
    return variantForm(
      { campaignId: campaign.id, metric, sample: o.sample ?? null },
      campaign.name,
    );
  },

  async execute(interaction, ctx) {
    const sub = interaction.options.getSubcommand();
    switch (sub) {
      case "list":
        return listExperiments(ctx);
      case "show": {
        const o = parseOptions(experimentId, {
          experiment: interaction.options.getInteger("experiment"),
        });
        return experimentMessage(await ctx.experiments.view(ctx.guildId, o.experiment));
      }
      case "stop": {
        const settings = await ctx.settings.get(ctx.guildId);
        requireRole(actorOf(interaction), settings, "content_manager", "stop experiments");
        const o = parseOptions(experimentId, {
          experiment: interaction.options.getInteger("experiment"),
        });
        const stopped = await ctx.experiments.stop(
          ctx.guildId,
          o.experiment,
          auditActor(interaction),
        );
        return `${experimentTitle(stopped)} is stopped: no more of its posts are queued. Posts already queued stay (cancel them with /post cancel if they should not go out); /experiment show still shows its numbers.`;
      }
      default:
        // create always opens the form (see `modal`).
        throw new DomainError("invalid_input", `Unknown subcommand "${sub}".`);
    }
  },

  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === "campaign") {
      await interaction.respond(await campaignChoices(ctx, focused.value, { liveOnly: true }));
      return;
    }
    const runningOnly = interaction.options.getSubcommand() === "stop";
    await interaction.respond(await experimentChoices(ctx, String(focused.value), { runningOnly }));
  },
};
