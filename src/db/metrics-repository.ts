import type { AnalyticsPost } from "../domain/analytics.ts";
import { chunks } from "../domain/chunks.ts";
import type { MetricsSnapshot } from "../domain/metrics.ts";
import type { MetricsStore, SyncTarget } from "../domain/metrics-sync.ts";
import type { PostStatus } from "../domain/post-lifecycle.ts";
import { POST_STATUSES } from "../domain/post-lifecycle.ts";
import type { CampaignDailyRow, ListedPost, ReportStore } from "../domain/reports.ts";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";

/** Comfortably under SQLite's 32,766 bound parameters (and PostgreSQL's 65,535). */
const IDS_PER_QUERY = 5_000;

function toStatus(status: string): PostStatus {
  if ((POST_STATUSES as readonly string[]).includes(status)) return status as PostStatus;
  throw new Error(`Unknown post status in the database: ${status}`);
}

/** PostMetrics and CampaignDaily: the sync's time series and the reports' reads. */
export class PrismaMetricsRepository implements MetricsStore, ReportStore {
  constructor(private readonly prisma: PrismaClient) {}

  async syncTargets(since: Date): Promise<SyncTarget[]> {
    const posts = await this.prisma.post.findMany({
      where: {
        status: "published",
        xPostId: { not: null },
        publishedAt: { gte: since },
        campaign: { xAccount: { status: { not: "invalid" } } },
      },
      select: {
        id: true,
        xPostId: true,
        publishedAt: true,
        campaign: { select: { xAccountId: true } },
      },
    });
    const lastSynced = new Map<number, Date>();
    for (const ids of chunks(
      posts.map((p) => p.id),
      IDS_PER_QUERY,
    )) {
      for (const latest of await this.latestOf(ids))
        lastSynced.set(latest.postId, latest.recordedAt);
    }
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

  async record(snapshots: MetricsSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    await this.prisma.postMetrics.createMany({ data: snapshots });
  }

  async published(
    campaignIds: readonly number[],
    window: { from: Date; to: Date },
  ): Promise<{ posts: AnalyticsPost[]; latest: MetricsSnapshot[] }> {
    if (campaignIds.length === 0) return { posts: [], latest: [] };
    const rows = await this.prisma.post.findMany({
      where: {
        campaignId: { in: [...campaignIds] },
        status: "published",
        publishedAt: { gte: window.from, lt: window.to },
      },
      select: {
        id: true,
        campaignId: true,
        xPostId: true,
        text: true,
        publishedAt: true,
        costUsd: true,
      },
    });
    const posts = rows.flatMap((row) =>
      row.publishedAt === null ? [] : [{ ...row, publishedAt: row.publishedAt }],
    );
    const latest: MetricsSnapshot[] = [];
    for (const ids of chunks(
      posts.map((p) => p.id),
      IDS_PER_QUERY,
    )) {
      latest.push(...(await this.latestOf(ids)));
    }
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
    return rows.map((row) => ({ ...row, status: toStatus(row.status) }));
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

  /**
   * The latest snapshot of each post: one index seek per post on (postId, recordedAt), rather
   * than reading every snapshot of the range (a post synced hourly has 720 a month), in one
   * query: the rows come back typed by their columns (DATETIME as Date) on SQLite and PostgreSQL.
   */
  private async latestOf(postIds: number[]): Promise<MetricsSnapshot[]> {
    const rows = await this.prisma.$queryRaw<LatestRow[]>(Prisma.sql`
      SELECT m."postId", m."impressions", m."likes", m."reposts", m."replies", m."quotes",
             m."bookmarks", m."urlLinkClicks", m."engagementRate", m."recordedAt"
      FROM "Post" p
      JOIN "PostMetrics" m ON m."id" = (
        SELECT l."id" FROM "PostMetrics" l
        WHERE l."postId" = p."id"
        ORDER BY l."recordedAt" DESC, l."id" DESC
        LIMIT 1
      )
      WHERE p."id" IN (${Prisma.join(postIds)})`);
    return rows.map((row) => ({ ...row, recordedAt: new Date(row.recordedAt) }));
  }
}

interface LatestRow extends Omit<MetricsSnapshot, "recordedAt"> {
  recordedAt: Date | string;
}
