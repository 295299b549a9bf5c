import { AttachmentBuilder, EmbedBuilder, embedLength } from "discord.js";
import type { PostRow } from "../../domain/analytics.ts";
import type { OutboxDraft } from "../../domain/outbox.ts";
import type { ListedPost, Report } from "../../domain/reports.ts";
import { formatLocal } from "../../domain/schedule.ts";
import { postUrl } from "../runner-notices.ts";
import { renderReportChart } from "./report-chart.ts";
import { ReportFigures } from "./report-figures.ts";

export const CHART_FILE = "report.png";
const MAX_CAMPAIGN_FIELDS = 10;
const MAX_LISTED = 5;
const EMBED_COLOUR = 0x5865f2;
/** Discord caps a field at 1,024 characters. */
const MAX_FIELD = 1024;
const MAX_LIST_FIELD = 600;
/** Discord refuses an embed longer than 6,000 characters in all; a little is kept in hand. */
const MAX_EMBED = 5_900;

function periodWords(report: Report): string {
  return report.period === "24h"
    ? "the last 24 h"
    : `the last ${Number.parseInt(report.period, 10)} days`;
}

function excerpt(text: string, length = 60): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= length ? line : `${line.slice(0, length - 1)}…`;
}

function topLine(report: Report, figures: ReportFigures, row: PostRow, rank: number): string {
  const { post, campaign, latest, totals } = row;
  const handle = report.handles.get(campaign.id) ?? null;
  const label = `#${post.id} ${campaign.name}`;
  const link = post.xPostId === null ? label : `[${label}](${postUrl(handle, post.xPostId)})`;
  const noMetrics = latest === null && totals.humanClicks === null;
  return `${rank}. ${link}: ${noMetrics ? "no metrics yet" : figures.postLine(totals)}`;
}

/**
 * Trims the longest field until the embed is within Discord's total: many campaigns with every
 * figure, long lists and top posts could otherwise make Discord refuse the whole report.
 */
function fitEmbed(embed: EmbedBuilder): void {
  for (let excess = embedLength(embed.data) - MAX_EMBED; excess > 0; ) {
    const fields = embed.data.fields ?? [];
    const longest = fields.reduce(
      (best, field, i) => (field.value.length > (fields[best]?.value.length ?? 0) ? i : best),
      0,
    );
    const field = fields[longest];
    if (field === undefined) return;
    const keep = Math.max(1, field.value.length - excess - 1);
    embed.spliceFields(longest, 1, { ...field, value: `${field.value.slice(0, keep)}…` });
    excess = embedLength(embed.data) - MAX_EMBED;
  }
}

/** The footer: whose days, and why revenue outside US dollars has no ROI. */
function footerText(report: Report): string {
  const days = `Days in ${report.timeZone}`;
  return report.currency === "USD"
    ? days
    : `${days} · revenue in ${report.currency}, X spend in USD: no ROI without converting, and Herald converts nothing`;
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
  const figures = new ReportFigures(report.currency);
  const title = reportTitle(report);
  const embed = new EmbedBuilder()
    .setColor(EMBED_COLOUR)
    .setTitle(title)
    .setFooter({ text: footerText(report) })
    .setTimestamp(report.window.to);
  if (analytics.byCampaign.length === 0) {
    embed.setDescription("No campaigns yet: create one with /campaign create.");
  } else if (analytics.totals.posts === 0) {
    embed.setDescription(`No posts published in ${periodWords(report)}.`);
  } else {
    embed.setDescription(`**All campaigns**: ${figures.line(analytics.totals, report.xSpend)}`);
  }
  const rows = analytics.byCampaign.slice(0, MAX_CAMPAIGN_FIELDS);
  embed.addFields(
    rows.map(({ campaign, totals }) => ({
      name: `${campaign.name} (${campaign.niche})`.slice(0, 256),
      value: (totals.posts === 0 ? "No posts published" : figures.line(totals)).slice(0, MAX_FIELD),
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
        .map(({ niche, totals }) => `**${niche}**: ${figures.line(totals)}`)
        .join("\n")
        .slice(0, MAX_LIST_FIELD),
    });
  }
  if (analytics.top.length > 0) {
    embed.addFields({
      name: "Top posts",
      value: analytics.top
        .map((row, i) => topLine(report, figures, row, i + 1))
        .join("\n")
        .slice(0, MAX_FIELD),
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
  fitEmbed(embed);
  if (analytics.byCampaign.length === 0) return { embed, chart: null };
  const chart = await renderReportChart(report, title);
  embed.setImage(`attachment://${CHART_FILE}`);
  return { embed, chart };
}
