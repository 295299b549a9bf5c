import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import type { PrismaClient } from "../../src/db/client.ts";
import { PrismaMetricsRepository } from "../../src/db/metrics-repository.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { prepareCampaign } from "../../src/domain/campaigns.ts";
import { type PostMetricsCounts, snapshotOf } from "../../src/domain/metrics.ts";
import type { PostStatus } from "../../src/domain/post-lifecycle.ts";

/**
 * Report data written straight into the database: setup for report tests and the example chart,
 * not the behaviour under test.
 */
export class ReportFixture {
  private readonly campaigns: PrismaCampaignRepository;
  private readonly posts: PrismaPostRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly guildId: string,
  ) {
    this.campaigns = new PrismaCampaignRepository(prisma);
    this.posts = new PrismaPostRepository(prisma);
  }

  async campaign(name: string, niche: string, epc: number, xAccountId: number | null = null) {
    const campaign = await this.campaigns.create(
      prepareCampaign(
        {
          guildId: this.guildId,
          name,
          niche,
          epc,
          times: "09:00",
          timezone: "Europe/Berlin",
          xAccountId,
        },
        "test",
      ),
      { actor: "test", action: "campaign.created" },
    );
    return campaign.id;
  }

  /** A post in `status`, scheduled (and, when published, published) at `at`. */
  async post(
    campaignId: number,
    status: PostStatus,
    at: Date,
    extra: { xPostId?: string; costUsd?: number; lastError?: string } = {},
  ): Promise<number> {
    const post = await this.posts.create(
      {
        campaignId,
        text: `A ${status} post for campaign ${campaignId} at ${at.toISOString()}`,
        media: [],
        scheduledAt: at,
        status: "approved",
        createdBy: "test",
        link: null,
      },
      { actor: "test", action: "post.queued" },
    );
    await this.prisma.post.update({
      where: { id: post.id },
      data: {
        status,
        ...(status === "published"
          ? {
              publishedAt: at,
              xPostId: extra.xPostId ?? String(1_900_000_000_000_000_000n + BigInt(post.id)),
            }
          : {}),
        costUsd: extra.costUsd ?? null,
        lastError: extra.lastError ?? null,
      },
    });
    return post.id;
  }

  /** Gives the post a tracked link, as publishing does with tracking on. */
  async track(postId: number): Promise<void> {
    await this.prisma.post.update({
      where: { id: postId },
      data: {
        affiliateLink: {
          create: {
            originalUrl: "https://shop.example.com/item",
            utmCampaign: "fixture",
            trackedUrl: "https://shop.example.com/item?utm_source=x",
            code: `Code${String(postId).padStart(8, "0")}`,
          },
        },
      },
    });
  }

  /** One click on a tracked post; the same visitor and hour count once. */
  async click(
    postId: number,
    clickId: string,
    visit: { visitor: string; hour: string; bot?: boolean },
  ): Promise<void> {
    await this.prisma.click.create({
      data: {
        postId,
        clickId,
        at: new Date(`${visit.hour}:00:00Z`),
        bot: visit.bot ?? false,
        visitorHash: visit.visitor,
        hour: visit.hour,
      },
    });
  }

  async conversion(
    postId: number,
    clickId: string,
    sent: { txid: string; payout: number; status?: string; currency?: string | null },
  ): Promise<void> {
    await this.prisma.conversion.create({
      data: {
        guildId: this.guildId,
        postId,
        clickId,
        txid: sent.txid,
        payout: sent.payout,
        status: sent.status ?? "approved",
        currency: sent.currency === undefined ? "USD" : sent.currency,
      },
    });
  }

  async metrics(postId: number, counts: Partial<PostMetricsCounts>, at: Date): Promise<void> {
    const snapshot = snapshotOf(
      postId,
      {
        impressions: null,
        likes: 0,
        reposts: 0,
        replies: 0,
        quotes: 0,
        bookmarks: null,
        urlLinkClicks: null,
        ...counts,
      },
      at,
    );
    await new PrismaMetricsRepository(this.prisma).record([snapshot]);
  }
}
