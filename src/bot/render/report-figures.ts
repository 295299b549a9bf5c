/**
 * A report row's figures as words (design.md section 6), for the report message's campaign,
 * niche, total and post lines: X's link clicks beside Herald's human clicks, conversions and
 * their rate, revenue labelled measured or estimated, payouts in other currencies apart, EPC,
 * X spend and ROI.
 */
import { otherCurrenciesWords } from "../../domain/currency.ts";
import type { Totals } from "../../domain/report-totals.ts";
import type { SpendSplit } from "../../domain/x-spend.ts";

const whole = new Intl.NumberFormat("en-US");
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 2 });
const dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
/** Reads cost tenths of a cent: three decimals, so a month of reads does not round to $0.00. */
const spendDollars = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 3,
});

/** An unknown counter (X did not report it) reads "n/a", never 0. */
export function count(value: number | null): string {
  return value === null ? "n/a" : whole.format(value);
}

export function rate(value: number | null): string {
  return value === null ? "n/a" : percent.format(value);
}

/** Formats amounts in the guild's currency (revenue, EPC); X's spend is always in US dollars. */
export class ReportFigures {
  private readonly money: Intl.NumberFormat;

  constructor(readonly currency: string) {
    this.money = new Intl.NumberFormat("en-US", { style: "currency", currency });
  }

  amount(value: number | null): string {
    return value === null ? "n/a" : this.money.format(value);
  }

  /** "revenue $12.50 (measured)", "(estimated)" from X's clicks × EPC, or "(partly estimated)". */
  revenue(t: Totals): string {
    const kind =
      t.revenueMeasured && t.revenueEstimated
        ? " (partly estimated)"
        : t.revenueEstimated
          ? " (estimated)"
          : t.revenueMeasured
            ? " (measured)"
            : "";
    const other = otherCurrenciesWords(t.otherCurrencies);
    return `revenue ${this.amount(t.revenue)}${kind}${other === "" ? "" : ` · also ${other} not converted`}`;
  }

  /** Human clicks for rows with tracked posts; conversions and their rate where revenue is measured. */
  attribution(t: Totals): string[] {
    if (t.humanClicks === null) return [];
    const clicks = `${whole.format(t.humanClicks)} human ${t.humanClicks === 1 ? "click" : "clicks"}`;
    if (!t.revenueMeasured) return [clicks];
    return [
      clicks,
      `${whole.format(t.conversions)} ${t.conversions === 1 ? "conversion" : "conversions"}`,
      `conversion rate ${rate(t.conversionRate)}`,
    ];
  }

  /**
   * One row's line. `spend`: the ledger's split, for the all-campaigns line; a campaign's,
   * niche's or post's line shows what X billed for publishing its posts.
   */
  line(t: Totals, spend: SpendSplit | null = null): string {
    return [
      `${whole.format(t.posts)} ${t.posts === 1 ? "post" : "posts"}`,
      `${count(t.impressions)} impressions`,
      `${count(t.clicks)} X link clicks`,
      ...this.attribution(t),
      `${percent.format(t.engagementRate)} engagement`,
      this.revenue(t),
      ...(t.epc === null ? [] : [`EPC ${this.amount(t.epc)}`]),
      spend === null
        ? `X cost ${dollars.format(t.costUsd)}`
        : `X spend: posting ${spendDollars.format(spend.postingUsd)}, reading ${spendDollars.format(spend.readingUsd)}`,
      `ROI ${rate(t.roi)}`,
    ].join(" · ");
  }

  /** A post's line in Top posts: its own figures, without the post count. */
  postLine(t: Totals): string {
    return [
      `${count(t.impressions)} impressions`,
      `${count(t.clicks)} X link clicks`,
      ...this.attribution(t),
      `${percent.format(t.engagementRate)} engagement`,
      this.revenue(t),
      ...(t.epc === null ? [] : [`EPC ${this.amount(t.epc)}`]),
      `X cost ${dollars.format(t.costUsd)}`,
      `ROI ${rate(t.roi)}`,
    ].join(" · ");
  }
}
