/**
 * Reports (design.md sections 5 and 6): what `/report` and the daily report show, gathered from
 * the repositories and computed by analytics.ts. Also rebuilds CampaignDaily from the same
 * numbers, so the table always agrees with what a report would say.
 */
import { DateTime } from "luxon";
import {
  type Analytics,
  type AnalyticsPost,
  analyse,
  type DailyPoint,
  datesBetween,
  type Totals,
} from "./analytics.ts";
import { type Campaign, campaignNamed } from "./campaigns.ts";
import { DomainError } from "./errors.ts";
import type { MetricsSnapshot } from "./metrics.ts";
import type { CampaignRepository, Clock, XAccountRepository } from "./ports.ts";
import type { PostStatus } from "./post-lifecycle.ts";
import { roiOf } from "./report-totals.ts";
import type { SettingsRepository } from "./settings.ts";
import { utcDay } from "./x-prices.ts";
import { type SpendSplit, splitSpend, type XSpendLedger } from "./x-spend.ts";

export const REPORT_RANGES = ["7d", "30d", "90d"] as const;
export type ReportRange = (typeof REPORT_RANGES)[number];
/** The daily report's range; not offered in /report. */
export type ReportPeriod = ReportRange | "24h";

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back CampaignDaily is rebuilt after a sync: the longest report range. */
const DAILY_REBUILD_DAYS = 90;

/** A post that is not (yet) published, as a report lists it. */
export interface ListedPost {
  id: number;
  campaignId: number;
  status: PostStatus;
  text: string;
  scheduledAt: Date;
  lastError: string | null;
}

export interface CampaignDailyRow {
  campaignId: number;
  date: string;
  impressions: number;
  clicks: number;
  engagements: number;
  posts: number;
  revenue: number;
  conversionRate: number | null;
}

export interface ReportStore {
  /** Published posts of those campaigns within the window, with each one's latest snapshot. */
  published(
    campaignIds: readonly number[],
    window: { from: Date; to: Date },
  ): Promise<{ posts: AnalyticsPost[]; latest: MetricsSnapshot[] }>;
  /** Posts of those campaigns in one of `statuses`, scheduled within the window, soonest first. */
  listed(
    campaignIds: readonly number[],
    statuses: readonly PostStatus[],
    window: { from: Date; to: Date },
  ): Promise<ListedPost[]>;
  /** Replaces the rows of those campaigns on those dates with `rows`, in one transaction. */
  replaceDaily(
    campaignIds: readonly number[],
    dates: readonly string[],
    rows: readonly CampaignDailyRow[],
  ): Promise<void>;
}

export interface ReportRequest {
  campaign?: string | undefined;
  niche?: string | undefined;
  range?: string | undefined;
}

export interface Report {
  period: ReportPeriod;
  window: { from: Date; to: Date };
  timeZone: string;
  /** The guild's ISO 4217 code: revenue is in it. */
  currency: string;
  /** What the report was narrowed to, for its title. */
  scope: { campaign: string | null; niche: string | null };
  analytics: Analytics;
  failed: ListedPost[];
  missed: ListedPost[];
  /** Approved or awaiting approval, scheduled in the next 24 hours. */
  queued: ListedPost[];
  /** The X handle of each campaign's account, for post links; null when it has none. */
  handles: ReadonlyMap<number, string | null>;
  /**
   * What X billed over the window's UTC days (the ledger, x-spend.ts), for the accounts of the
   * campaigns reported (all of the guild's without a filter). The totals' cost and ROI use it.
   * Null when no ledger is wired.
   */
  xSpend: SpendSplit | null;
}

export interface ReportServiceDeps {
  campaigns: Pick<CampaignRepository, "list">;
  accounts: Pick<XAccountRepository, "list">;
  settings: Pick<SettingsRepository, "get">;
  store: ReportStore;
  clock: Clock;
  spend?: Pick<XSpendLedger, "rows"> | undefined;
}

export function parseRange(input: string | undefined): ReportRange {
  const range = (input ?? "7d").trim().toLowerCase();
  if ((REPORT_RANGES as readonly string[]).includes(range)) return range as ReportRange;
  throw new DomainError(
    "invalid_input",
    `"${input}" is not a report range. Choose one of: ${REPORT_RANGES.join(", ")}.`,
  );
}

/**
 * `Nd` is the last N calendar days in the guild's time zone, today included; `24h` the 24 hours
 * before `now`.
 */
export function reportWindow(period: ReportPeriod, now: Date, timeZone: string) {
  if (period === "24h") return { from: new Date(now.getTime() - DAY_MS), to: now };
  return lastLocalDays(Number.parseInt(period, 10), now, timeZone);
}

/** From local midnight `days - 1` days before `now`'s day, to `now`. */
function lastLocalDays(days: number, now: Date, timeZone: string) {
  const from = DateTime.fromJSDate(now, { zone: timeZone })
    .startOf("day")
    .minus({ days: days - 1 });
  return { from: from.toJSDate(), to: now };
}

function choices(values: readonly string[]): string {
  return values.length === 0 ? "none yet" : values.join(", ");
}

export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  /** Refuses an unknown campaign, niche or range with the valid choices. */
  async report(guildId: string, request: ReportRequest): Promise<Report> {
    const range = parseRange(request.range);
    const campaigns = await this.deps.campaigns.list(guildId);
    const campaign = request.campaign?.trim();
    const niche = request.niche?.trim().toLowerCase();
    const chosen = campaign === undefined ? undefined : campaignNamed(campaigns, campaign);
    if (campaign !== undefined && chosen === undefined) {
      throw new DomainError(
        "campaign_not_found",
        `There is no campaign "${campaign}". Campaigns: ${choices(campaigns.map((c) => c.name))}.`,
      );
    }
    const niches = [...new Set(campaigns.map((c) => c.niche))].sort();
    if (niche !== undefined && !niches.includes(niche)) {
      throw new DomainError(
        "invalid_input",
        `No campaign has the niche "${niche}". Niches: ${choices(niches)}.`,
      );
    }
    return this.build(guildId, campaigns, range, this.deps.clock.now(), {
      campaignId: chosen?.id,
      niche,
      scopeName: chosen?.name ?? null,
    });
  }

  /** The daily report: every campaign, the 24 hours before `at`. */
  async daily(guildId: string, at: Date): Promise<Report> {
    const campaigns = await this.deps.campaigns.list(guildId);
    return this.build(guildId, campaigns, "24h", at, { scopeName: null });
  }

  /** Rebuilds CampaignDaily for the guild's last 90 local days from the latest snapshots. */
  async rebuildDaily(guildId: string): Promise<number> {
    const { timezone, currency } = await this.deps.settings.get(guildId);
    const campaigns = await this.deps.campaigns.list(guildId);
    const window = lastLocalDays(DAILY_REBUILD_DAYS, this.deps.clock.now(), timezone);
    const ids = campaigns.map((c) => c.id);
    const { posts, latest } = await this.deps.store.published(ids, window);
    const analytics = analyse({
      campaigns,
      posts,
      snapshots: latest,
      window,
      timeZone: timezone,
      currency,
    });
    const rows = analytics.daily.filter((p) => p.posts > 0).map(toDailyRow);
    await this.deps.store.replaceDaily(ids, datesBetween(window, timezone), rows);
    return rows.length;
  }

  /** Ledger rows over the UTC days the window touches; `campaigns` narrows to their accounts. */
  private async spendIn(
    guildId: string,
    window: { from: Date; to: Date },
    campaigns: readonly Campaign[] | null,
  ): Promise<SpendSplit | null> {
    if (this.deps.spend === undefined) return null;
    const xAccountIds =
      campaigns === null
        ? undefined
        : [...new Set(campaigns.flatMap((c) => (c.xAccountId === null ? [] : [c.xAccountId])))];
    const rows = await this.deps.spend.rows({
      guildId,
      xAccountIds,
      fromDay: utcDay(window.from),
      toDay: utcDay(new Date(window.to.getTime() - 1)),
    });
    return splitSpend(rows);
  }

  private async build(
    guildId: string,
    campaigns: Campaign[],
    period: ReportPeriod,
    now: Date,
    scope: {
      campaignId?: number | undefined;
      niche?: string | undefined;
      scopeName: string | null;
    },
  ): Promise<Report> {
    const { timezone, currency } = await this.deps.settings.get(guildId);
    const window = reportWindow(period, now, timezone);
    const wanted = campaigns.filter(
      (c) =>
        (scope.campaignId === undefined || c.id === scope.campaignId) &&
        (scope.niche === undefined || c.niche === scope.niche),
    );
    const ids = wanted.map((c) => c.id);
    const [{ posts, latest }, troubled, queued, accounts] = await Promise.all([
      this.deps.store.published(ids, window),
      this.deps.store.listed(ids, ["failed", "missed"], window),
      this.deps.store.listed(ids, ["approved", "pending_approval"], {
        from: now,
        to: new Date(now.getTime() + DAY_MS),
      }),
      this.deps.accounts.list(guildId),
    ]);
    const handleOf = new Map(accounts.map((a) => [a.id, a.handle]));
    const filtered = scope.campaignId !== undefined || scope.niche !== undefined;
    const xSpend = await this.spendIn(guildId, window, filtered ? wanted : null);
    const analytics = analyse({
      campaigns: wanted,
      posts,
      snapshots: latest,
      window,
      timeZone: timezone,
      currency,
    });
    return {
      period,
      window,
      timeZone: timezone,
      currency,
      scope: { campaign: scope.scopeName, niche: scope.niche ?? null },
      analytics:
        xSpend === null
          ? analytics
          : { ...analytics, totals: withSpend(analytics.totals, xSpend, currency) },
      xSpend,
      failed: troubled.filter((p) => p.status === "failed"),
      missed: troubled.filter((p) => p.status === "missed"),
      queued,
      handles: new Map(
        wanted.map((c) => [
          c.id,
          c.xAccountId === null ? null : (handleOf.get(c.xAccountId) ?? null),
        ]),
      ),
    };
  }
}

/** The totals' cost and ROI with what X billed for posting and for reading. */
function withSpend(totals: Totals, spend: SpendSplit, currency: string): Totals {
  const costUsd = spend.postingUsd + spend.readingUsd;
  return { ...totals, costUsd, roi: roiOf(totals.revenue, costUsd, currency) };
}

function toDailyRow(point: DailyPoint): CampaignDailyRow {
  return {
    campaignId: point.campaignId,
    date: point.date,
    posts: point.posts,
    // CampaignDaily holds sums of what X reported; a day with no known counter sums to 0.
    impressions: point.impressions ?? 0,
    clicks: point.clicks ?? 0,
    engagements: point.engagements,
    revenue: point.revenue ?? 0,
    conversionRate: point.conversionRate,
  };
}
