/**
 * `/report format:csv`: the report's per-post rows as a CSV attachment (design.md section 5), the
 * same figures as the message's lines, unrounded for spreadsheets. Rates are fractions (0.25),
 * amounts plain numbers; an unknown figure is an empty cell, never 0.
 */
import { AttachmentBuilder } from "discord.js";
import type { PostRow } from "../../domain/analytics.ts";
import { localDate } from "../../domain/analytics.ts";
import { otherCurrenciesWords } from "../../domain/currency.ts";
import type { Totals } from "../../domain/report-totals.ts";
import type { Report } from "../../domain/reports.ts";
import { type CsvColumn, formulaSafeCsv } from "../csv.ts";
import { postUrl } from "../runner-notices.ts";
import { reportTitle } from "./report-message.ts";

/** Cents, tenths of a cent for X's cost, four places for rates: no 0.30000000000000004. */
function rounded(value: number | null, places: number): number | null {
  return value === null ? null : Number(value.toFixed(places));
}

function revenueBasis(t: Totals): string {
  if (t.revenue === null) return "";
  return t.revenueMeasured ? "measured" : "estimated";
}

function columns(report: Report): CsvColumn<PostRow>[] {
  return [
    { header: "post_id", value: (r) => r.post.id },
    { header: "published_at", value: (r) => r.post.publishedAt.toISOString() },
    { header: "local_date", value: (r) => localDate(r.post.publishedAt, report.timeZone) },
    { header: "campaign", value: (r) => r.campaign.name },
    { header: "niche", value: (r) => r.campaign.niche },
    {
      header: "x_post_url",
      value: (r) =>
        r.post.xPostId === null
          ? null
          : postUrl(report.handles.get(r.campaign.id) ?? null, r.post.xPostId),
    },
    { header: "text", value: (r) => r.post.text },
    { header: "impressions", value: (r) => r.totals.impressions },
    { header: "engagements", value: (r) => r.totals.engagements },
    { header: "engagement_rate", value: (r) => rounded(r.totals.engagementRate, 4) },
    { header: "x_link_clicks", value: (r) => r.totals.clicks },
    { header: "human_clicks", value: (r) => r.totals.humanClicks },
    {
      header: "conversions",
      value: (r) => (r.totals.revenueMeasured ? r.totals.conversions : null),
    },
    { header: "conversion_rate", value: (r) => rounded(r.totals.conversionRate, 4) },
    { header: "revenue", value: (r) => rounded(r.totals.revenue, 2) },
    { header: "revenue_basis", value: (r) => revenueBasis(r.totals) },
    { header: "currency", value: () => report.currency },
    {
      header: "other_currencies_not_converted",
      value: (r) => otherCurrenciesWords(r.totals.otherCurrencies),
    },
    { header: "epc", value: (r) => rounded(r.totals.epc, 4) },
    { header: "x_cost_usd", value: (r) => rounded(r.totals.costUsd, 3) },
    { header: "roi", value: (r) => rounded(r.totals.roi, 4) },
  ];
}

export function reportCsv(report: Report): string {
  return formulaSafeCsv(columns(report), report.analytics.byPost, { bom: true });
}

export function reportCsvFileName(report: Report): string {
  return `herald-report-${report.period}-${localDate(report.window.to, report.timeZone)}.csv`;
}

/** The reply: what the file holds, and the file. */
export function reportCsvMessage(report: Report): { content: string; files: AttachmentBuilder[] } {
  const posts = report.analytics.byPost.length;
  const file = new AttachmentBuilder(Buffer.from(reportCsv(report), "utf8"), {
    name: reportCsvFileName(report),
  });
  return {
    content: `${reportTitle(report)}: ${posts} ${posts === 1 ? "post" : "posts"}, one row each; revenue in ${report.currency}, X cost in USD.`,
    files: [file],
  };
}
