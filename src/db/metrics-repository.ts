import { type AnalyticsPost, type Attribution, latestPerPost } from "../domain/analytics.ts";
import type { MetricsSnapshot } from "../domain/metrics.ts";
import type { MetricsStore, SyncTarget } from "../domain/metrics-sync.ts";
import type { PostStatus } from "../domain/post-lifecycle.ts";
import type { CampaignDailyRow, ListedPost, ReportStore } from "../domain/reports.ts";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { postStatusSchema } from "./post-repository.ts";

/**
 * PostMetrics (the sync's time series), PostMetricsLatest (each post's newest row, what reports
 * read) and CampaignDaily.
 */
export class PrismaMetricsRepository implements MetricsStore, ReportStore {
  constructor(private readonly prisma: PrismaClient) {}

  async syncTargets(since: Date): Promise<SyncTarget[]> {
    const where = {
      status: "published",
      xPostId: { not: null },
      publishedAt: { gte: since },
      campaign: { xAccount: { status: "active" } },
    } satisfies Prisma.PostWhereInput;
    const posts = await this.prisma.post.findMany({
      where,
      select: {
        id: true,
        xPostId: true,
        publishedAt: true,
        campaign: { select: { xAccountId: true } },
      },
    });
    const synced = await this.prisma.postMetricsLatest.findMany({
      where: { post: where },
      select: { postId: true, recordedAt: true },
    });
    const lastSynced = new Map(synced.map((row) => [row.postId, row.recordedAt]));
    return posts.flatMap((p) =>
      p.xPostId === null || p.publishedAt === null || p.campaign.xAccountId === null
        ? []
        : [
            {
              postId: p.id,
              xPostId: p.xPostId,
              xAccountId: p.campaign.xAccountId,
              publishedAt: p.publishedAt,
              lastSyncedAt: lastSynced.get(p.id) ?? null,
            },
          ],
    );
  }

  /**
   * Appends the snapshots to the series and, in the same transaction, makes each the post's
   * latest unless the post already has a later one.
   */
  async record(snapshots: MetricsSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    await this.prisma.$transaction(async (tx) => {
      await tx.postMetrics.createMany({ data: snapshots });
      const current = await tx.postMetricsLatest.findMany({
        where: { postId: { in: snapshots.map((s) => s.postId) } },
        select: { postId: true, recordedAt: true },
      });
      const since = new Map(current.map((row) => [row.postId, row.recordedAt.getTime()]));
      const newer = [...latestPerPost(snapshots).values()].filter(
        (s) => s.recordedAt.getTime() >= (since.get(s.postId) ?? Number.NEGATIVE_INFINITY),
      );
      await tx.postMetricsLatest.deleteMany({
        where: { postId: { in: newer.map((s) => s.postId) } },
      });
      await tx.postMetricsLatest.createMany({ data: newer });
    });
  }

  async published(
    campaignIds: readonly number[],
    window: { from: Date; to: Date },
  ): Promise<{ posts: AnalyticsPost[]; latest: MetricsSnapshot[] }> {
    if (campaignIds.length === 0) return { posts: [], latest: [] };
    const where = {
      campaignId: { in: [...campaignIds] },
      status: "published",
      publishedAt: { gte: window.from, lt: window.to },
    } satisfies Prisma.PostWhereInput;
    const rows = await this.prisma.post.findMany({
      where,
      select: {
        id: true,
        campaignId: true,
        xPostId: true,
        text: true,
        publishedAt: true,
        costUsd: true,
        affiliateLink: { select: { code: true } },
      },
    });
    const attribution = await attributionOf(
      this.prisma,
      rows.filter((row) => row.affiliateLink?.code != null),
    );
    const posts = rows.flatMap(({ affiliateLink: _link, ...row }) =>
      row.publishedAt === null
        ? []
        : [
            {
              ...row,
              publishedAt: row.publishedAt,
              attribution: attribution.get(row.id) ?? null,
            },
          ],
    );
    // The same filter through the relation: one indexed join, no list of 10,000 ids to send.
    const latest = await this.prisma.postMetricsLatest.findMany({ where: { post: where } });
    return { posts, latest };
  }

  async listed(
    campaignIds: readonly number[],
    statuses: readonly PostStatus[],
    window: { from: Date; to: Date },
  ): Promise<ListedPost[]> {
    if (campaignIds.length === 0) return [];
    const rows = await this.prisma.post.findMany({
      where: {
        campaignId: { in: [...campaignIds] },
        status: { in: [...statuses] },
        scheduledAt: { gte: window.from, lt: window.to },
      },
      orderBy: [{ scheduledAt: "asc" }, { id: "asc" }],
      select: {
        id: true,
        campaignId: true,
        status: true,
        text: true,
        scheduledAt: true,
        lastError: true,
      },
    });
    return rows.map((row) => ({ ...row, status: postStatusSchema.parse(row.status) }));
  }

  async replaceDaily(
    campaignIds: readonly number[],
    dates: readonly string[],
    rows: readonly CampaignDailyRow[],
  ): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.campaignDaily.deleteMany({
        where: { campaignId: { in: [...campaignIds] }, date: { in: [...dates] } },
      }),
      this.prisma.campaignDaily.createMany({ data: [...rows] }),
    ]);
  }
}

/**
 * Herald's counts for tracked posts: human clicks (distinct visitor and hour per post, bots left
 * out), approved conversions with their payouts per currency as sent, and whether the post's
 * campaign receives postbacks at all (any conversion, any status, any time).
 */
async function attributionOf(
  prisma: PrismaClient,
  posts: readonly { id: number; campaignId: number }[],
): Promise<Map<number, Attribution>> {
  const result = new Map<number, Attribution>();
  if (posts.length === 0) return result;
  const postIds = posts.map((post) => post.id);
  const campaignIds = [...new Set(posts.map((post) => post.campaignId))];
  const [visits, conversions, measured] = await Promise.all([
    prisma.click.groupBy({
      by: ["postId", "visitorHash", "hour"],
      where: { postId: { in: postIds }, bot: false },
    }),
    prisma.conversion.groupBy({
      by: ["postId", "currency"],
      where: { postId: { in: postIds }, status: "approved" },
      _count: { _all: true },
      _sum: { payout: true },
    }),
    prisma.campaign.findMany({
      where: { id: { in: campaignIds }, posts: { some: { conversions: { some: {} } } } },
      select: { id: true },
    }),
  ]);
  const measuredIds = new Set(measured.map((campaign) => campaign.id));
  for (const post of posts) {
    result.set(post.id, {
      humanClicks: 0,
      conversions: 0,
      payouts: [],
      measured: measuredIds.has(post.campaignId),
    });
  }
  for (const visit of visits) {
    const entry = result.get(visit.postId);
    if (entry !== undefined) entry.humanClicks += 1;
  }
  for (const row of conversions) {
    const entry = result.get(row.postId);
    if (entry === undefined) continue;
    entry.conversions += row._count._all;
    entry.payouts = [...entry.payouts, { currency: row.currency, amount: row._sum.payout ?? 0 }];
  }
  return result;
}
