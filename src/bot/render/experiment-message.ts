import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
} from "discord.js";
import type { ExperimentReport, VariantCounts } from "../../domain/experiment-verdict.ts";
import type { Experiment, ExperimentView } from "../../domain/experiments.ts";
import { experimentAdoptButtonId } from "../custom-ids.ts";
import { renderExperimentChart } from "./experiment-chart.ts";

export const EXPERIMENT_CHART_FILE = "experiment.png";
const COLOURS = { running: 0x5865f2, decided: 0x57f287, open: 0xfee75c } as const;
const MAX_TEXT = 120;

const whole = new Intl.NumberFormat("en-US");
const rate = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 2 });
const signed = new Intl.NumberFormat("en-US", {
  style: "percent",
  maximumFractionDigits: 0,
  signDisplay: "exceptZero",
});
const money = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 3,
});

const METRIC_WORDS = { ctr: "CTR", conversion: "conversion rate", epc: "EPC" } as const;
const UNITS = { ctr: "impressions", conversion: "human clicks", epc: "human clicks" } as const;

export function experimentTitle(experiment: Experiment): string {
  return `Experiment #${experiment.id}${experiment.name === null ? "" : ` · ${experiment.name}`}`;
}

function value(report: ExperimentReport, x: number): string {
  return report.plan.metric === "epc" ? money.format(x) : rate.format(x);
}

function pText(p: number): string {
  return p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`;
}

/** The verdict in words: what a marketer may conclude, and no more. */
export function verdictLine(report: ExperimentReport): string {
  const { verdict, plan } = report;
  const metric = METRIC_WORDS[plan.metric];
  switch (verdict.kind) {
    case "running": {
      const progress = report.variants
        .map((v) => `${v.label} ${whole.format(v.trials)}/${whole.format(plan.samplePerVariant)}`)
        .join(", ");
      return `Running: no winner is named before every variant reached ${whole.format(plan.samplePerVariant)} ${UNITS[plan.metric]} (${progress}), whatever the numbers show so far.`;
    }
    case "too_few":
      return verdict.reason;
    case "winner": {
      const lifts = report.lifts
        .map(
          (l) =>
            `${signed.format(l.lift)} over ${l.over} (${signed.format(l.interval.low)} to ${signed.format(l.interval.high)})`,
        )
        .join("; ");
      return `**${verdict.winner} wins** on ${metric} (${pText(report.pValue ?? 1)}).${lifts === "" ? "" : ` Lift ${lifts}.`}`;
    }
    case "no_difference":
      return `No difference found at this sample (${pText(report.pValue ?? 1)}). That is not proof the variants are equal: a smaller difference would need a larger sample.`;
    case "no_single_winner":
      return `The variants differ (${pText(report.pValue ?? 1)}), but ${verdict.leaders.join(" and ")} are not told apart at this sample: no single winner.`;
  }
}

function variantLine(report: ExperimentReport, counts: VariantCounts | undefined, index: number) {
  const v = report.variants[index];
  if (v === undefined) return "";
  const confidence = Math.round(report.plan.confidence * 100);
  const tallies =
    counts === undefined
      ? ""
      : ` · ${whole.format(counts.posts)} ${counts.posts === 1 ? "post" : "posts"}, ${whole.format(counts.impressions)} impressions, ${whole.format(counts.humanClicks)} clicks${report.plan.metric === "ctr" ? "" : `, ${whole.format(counts.conversions)} conversions`}`;
  return `${METRIC_WORDS[report.plan.metric]} ${value(report, v.value)} (${confidence} % interval ${value(report, v.interval.low)}–${value(report, v.interval.high)})${tallies}`;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

/** With a winner: the button that adds its text to the library (checked again when pressed). */
function adoptRow(view: ExperimentView): ActionRowBuilder<ButtonBuilder>[] {
  const { verdict } = view.report;
  if (verdict.kind !== "winner") return [];
  return [
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId(experimentAdoptButtonId(view.experiment.id))
        .setLabel(`Use ${verdict.winner} in the library`)
        .setStyle(ButtonStyle.Success),
    ),
  ];
}

/**
 * /experiment show and /report experiment: the verdict, each variant, warnings and the chart,
 * and with a winner the button that puts it in the library.
 */
export async function experimentMessage(view: ExperimentView): Promise<{
  embeds: EmbedBuilder[];
  files: AttachmentBuilder[];
  components: ActionRowBuilder<ButtonBuilder>[];
}> {
  const { experiment, campaign, report } = view;
  const decided = report.verdict.kind === "winner";
  const embed = new EmbedBuilder()
    .setTitle(`${experimentTitle(experiment)} · ${campaign.name} (${experiment.status})`)
    .setColor(
      report.verdict.kind === "running"
        ? COLOURS.running
        : decided
          ? COLOURS.decided
          : COLOURS.open,
    )
    .setDescription(verdictLine(report))
    .addFields(
      experiment.variants.map((variant, index) => ({
        name: `${variant.label}${report.verdict.kind === "winner" && report.verdict.winner === variant.label ? " ★" : ""}: ${snippet(variant.text)}`,
        value: variantLine(report, view.counts[index], index),
      })),
    );
  if (report.pairs.length > 0) {
    embed.addFields({
      name: "Pairs (Holm-adjusted)",
      value: report.pairs
        .map((pair) => `${pair.labels.join(" vs ")}: ${pText(pair.adjustedPValue)}`)
        .join("\n"),
    });
  }
  if (report.sampleRatioWarning !== null) {
    embed.addFields({
      name: "⚠ Sample ratio",
      value: `${report.sampleRatioWarning.lagging.join(", ")} got far fewer impressions than ${report.sampleRatioWarning.lagging.length === 1 ? "its" : "their"} share of the slots (${pText(report.sampleRatioWarning.pValue)}). Check those posts (deleted, hidden, or published late) before trusting the comparison.`,
    });
  }
  embed.setFooter({
    text: `Planned ${whole.format(experiment.samplePerVariant)} ${UNITS[experiment.metric]} per variant at ${Math.round(experiment.confidence * 100)} % confidence; ${experiment.metric === "epc" ? "normal" : "Wilson"} intervals.`,
  });
  const components = adoptRow(view);
  if (view.series.length === 0) return { embeds: [embed], files: [], components };
  const chart = await renderExperimentChart(view.series, {
    title: `${experimentTitle(experiment)} · ${campaign.name}`,
    subtitle: `${METRIC_WORDS[experiment.metric]} with its ${Math.round(experiment.confidence * 100)} % interval, end of each day in ${campaign.timezone}`,
    metric: experiment.metric,
  });
  embed.setImage(`attachment://${EXPERIMENT_CHART_FILE}`);
  return {
    embeds: [embed],
    files: [new AttachmentBuilder(chart, { name: EXPERIMENT_CHART_FILE })],
    components,
  };
}
