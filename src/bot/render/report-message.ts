import { AttachmentBuilder, EmbedBuilder } from "discord.js";
import type { PostResult, Totals } from "../../domain/analytics.ts";
import type { OutboxDraft } from "../../domain/outbox.ts";
import type { ListedPost, Report } from "../../domain/reports.ts";
import { formatLocal } from "../../domain/schedule.ts";
import type { SpendSplit } from "../../domain/x-spend.ts";
import { postUrl } from "../notifier.ts";
import { renderReportChart } from "./report-chart.ts";

export const CHART_FILE = "report.png";
const MAX_CAMPAIGN_FIELDS = 10;
const MAX_LISTED = 5;
const EMBED_COLOUR = 0x5865f2;
/**
 * Discord caps a field at 1,024 characters and a whole embed at 6,000: ten campaign rows, the top
 * posts and four lists of this size stay under the second.
 */
const MAX_LIST_FIELD = 600;

const whole = new Intl.NumberFormat("en-US");
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 2 });
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
/** Reads cost tenths of a cent: three decimals, so a month of reads does not round to $0.00. */
const spendMoney = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 3,
});

/** An unknown counter (X did not report it) reads "n/a", never 0. */
function count(value: number | null): string {
  return value === null ? "n/a" : whole.format(value);
}

function amount(value: number | null): string {
  return value === null ? "n/a" : money.format(value);
}

function periodWords(report: Report): string {
  return report.period === "24h"
    ? "the last 24 h"
    : `the last ${Number.parseInt(report.period, 10)} days`;
}

/** `spend`: the ledger's split, for the all-campaigns line; a campaign's line shows its posts' cost. */
function totalsLine(t: Totals, spend: SpendSplit | null = null): string {
  return [
    `${whole.format(t.posts)} ${t.posts === 1 ? "post" : "posts"}`,
    `${count(t.impressions)} impressions`,
    `${count(t.clicks)} clicks`,
    ...(t.humanClicks === null
      ? []
      : [
          `${whole.format(t.humanClicks)} human clicks`,
          `${whole.format(t.conversions)} ${t.conversions === 1 ? "conversion" : "conversions"}`,
          `conversion rate ${t.conversionRate === null ? "n/a" : percent.format(t.conversionRate)}`,
        ]),
    `${percent.format(t.engagementRate)} engagement`,
    `revenue ${amount(t.revenue)}${t.revenueEstimated ? " (estimated)" : ""}`,
    spend === null
      ? `X cost ${money.format(t.costUsd)}`
      : `X spend: posting ${spendMoney.format(spend.postingUsd)}, reading ${spendMoney.format(spend.readingUsd)}`,
    `ROI ${t.roi === null ? "n/a" : percent.format(t.roi)}`,
  ].join(" · ");
}

function excerpt(text: string, length = 60): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= length ? line : `${line.slice(0, length - 1)}…`;
}

function topLine(report: Report, result: PostResult, rank: number): string {
  const { post, campaign, latest } = result;
  const handle = report.handles.get(campaign.id) ?? null;
  const label = `#${post.id} ${campaign.name}`;
  const link = post.xPostId === null ? label : `[${label}](${postUrl(handle, post.xPostId)})`;
  const figures =
    latest === null
      ? "no metrics yet"
      : `${count(latest.impressions)} impressions, ${count(latest.urlLinkClicks)} clicks, ${percent.format(latest.engagementRate)} engagement`;
  return `${rank}. ${link}: ${figures}`;
}

function listedLines(report: Report, posts: ListedPost[], withReason: boolean): string {
  if (posts.length === 0) return "None";
  const names = new Map(report.analytics.byCampaign.map((r) => [r.campaign.id, r.campaign.name]));
  const lines = posts.slice(0, MAX_LISTED).map((post) => {
    const when = formatLocal(post.scheduledAt, report.timeZone);
    const reason = withReason && post.lastError !== null ? `: ${excerpt(post.lastError, 80)}` : "";
    return `#${post.id} ${names.get(post.campaignId) ?? ""} at ${when}${reason}`;
  });
  if (posts.length > MAX_LISTED) lines.push(`…and ${posts.length - MAX_LISTED} more`);
  return lines.join("\n").slice(0, MAX_LIST_FIELD);
}

export function reportTitle(report: Report): string {
  const scope =
    report.scope.campaign ?? (report.scope.niche === null ? null : `niche ${report.scope.niche}`);
  return `Report for ${periodWords(report)}${scope === null ? "" : `: ${scope}`}`;
}

/** The report as a Discord message: one embed with the chart attached as its image. */
export async function reportMessage(
  report: Report,
): Promise<{ embeds: EmbedBuilder[]; files: AttachmentBuilder[] }> {
  const { embed, chart } = await reportParts(report);
  return {
    embeds: [embed],
    files: chart === null ? [] : [new AttachmentBuilder(chart, { name: CHART_FILE })],
  };
}

/** The daily report as the outbox sends it: Discord JSON, the chart as a file in base64. */
export async function dailyReportMessage(
  guildId: string,
  channelId: string,
  report: Report,
): Promise<OutboxDraft[]> {
  const { embed, chart } = await reportParts(report);
  return [
    {
      guildId,
      channelId,
      kind: "report.daily",
      payload: {
        embeds: [embed.toJSON()],
        ...(chart === null
          ? {}
          : {
              files: [
                { name: CHART_FILE, contentType: "image/png", base64: chart.toString("base64") },
              ],
            }),
      },
    },
  ];
}

/** The report's embed and its chart (none without campaigns), which the embed shows. */
async function reportParts(report: Report): Promise<{ embed: EmbedBuilder; chart: Buffer | null }> {
  const { analytics } = report;
  const title = reportTitle(report);
  const embed = new EmbedBuilder()
    .setColor(EMBED_COLOUR)
    .setTitle(title)
    .setFooter({ text: `Days in ${report.timeZone}` })
    .setTimestamp(report.window.to);
  if (analytics.byCampaign.length === 0) {
    embed.setDescription("No campaigns yet: create one with /campaign create.");
  } else if (analytics.totals.posts === 0) {
    embed.setDescription(`No posts published in ${periodWords(report)}.`);
  } else {
    embed.setDescription(`**All campaigns**: ${totalsLine(analytics.totals, report.xSpend)}`);
  }
  const rows = analytics.byCampaign.slice(0, MAX_CAMPAIGN_FIELDS);
  embed.addFields(
    rows.map(({ campaign, totals }) => ({
      name: `${campaign.name} (${campaign.niche})`.slice(0, 256),
      value: totals.posts === 0 ? "No posts published" : totalsLine(totals),
    })),
  );
  if (analytics.byCampaign.length > rows.length) {
    embed.addFields({
      name: "More campaigns",
      value: `${analytics.byCampaign.length - rows.length} more; narrow with campaign or niche.`,
    });
  }
  if (analytics.byNiche.length > 1) {
    embed.addFields({
      name: "By niche",
      value: analytics.byNiche
        .map(({ niche, totals }) => `**${niche}**: ${totalsLine(totals)}`)
        .join("\n")
        .slice(0, MAX_LIST_FIELD),
    });
  }
  if (analytics.top.length > 0) {
    embed.addFields({
      name: "Top posts",
      value: analytics.top
        .map((result, i) => topLine(report, result, i + 1))
        .join("\n")
        .slice(0, 1024),
    });
  }
  embed.addFields(
    { name: `Failed (${report.failed.length})`, value: listedLines(report, report.failed, true) },
    { name: `Missed (${report.missed.length})`, value: listedLines(report, report.missed, false) },
    {
      name: `Queued for the next 24 h (${report.queued.length})`,
      value: listedLines(report, report.queued, false),
    },
  );
  if (analytics.byCampaign.length === 0) return { embed, chart: null };
  const chart = await renderReportChart(report, title);
  embed.setImage(`attachment://${CHART_FILE}`);
  return { embed, chart };
}
