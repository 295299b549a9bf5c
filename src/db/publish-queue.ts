import type { PublishQueue } from "../domain/ports.ts";
import type { Post } from "../domain/posts.ts";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { toPost, withLink } from "./post-repository.ts";

/** Approved posts Herald may publish now: campaign active, account connected and not invalid. */
function publishable(skipAccounts: readonly number[]): Prisma.PostWhereInput {
  return {
    status: "approved",
    campaign: {
      status: "active",
      OR: [
        { xAccountId: null },
        { xAccountId: { notIn: [...skipAccounts] }, xAccount: { status: "active" } },
      ],
    },
  };
}

export class PrismaPublishQueue implements PublishQueue {
  constructor(private readonly prisma: PrismaClient) {}

  async due(now: Date, limit: number, skipAccounts: readonly number[]): Promise<Post[]> {
    const rows = await this.prisma.post.findMany({
      where: {
        ...publishable(skipAccounts),
        scheduledAt: { lte: now },
        OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }],
      },
      orderBy: [{ scheduledAt: "asc" }, { id: "asc" }],
      take: limit,
      include: withLink,
    });
    return rows.map(toPost);
  }

  async nextDueAt(skipAccounts: readonly number[]): Promise<Date | null> {
    // Two indexed lookups instead of ordering by max(scheduledAt, nextAttemptAt), which no
    // index serves: a backoff is always set after the post was due, so it is the later of the two.
    const [fresh, retry] = await Promise.all([
      this.prisma.post.findFirst({
        where: { ...publishable(skipAccounts), nextAttemptAt: null },
        orderBy: { scheduledAt: "asc" },
        select: { scheduledAt: true },
      }),
      this.prisma.post.findFirst({
        where: { ...publishable(skipAccounts), nextAttemptAt: { not: null } },
        orderBy: { nextAttemptAt: "asc" },
        select: { nextAttemptAt: true },
      }),
    ]);
    const candidates = [fresh?.scheduledAt, retry?.nextAttemptAt].filter(
      (d): d is Date => d instanceof Date,
    );
    return candidates.length === 0 ? null : new Date(Math.min(...candidates.map(Number)));
  }

  async takeOverExpired(
    cutoff: Date | "all",
    leaseUntil: Date,
    limit: number,
    owner: string,
  ): Promise<Post[]> {
    const candidates = await this.prisma.post.findMany({
      where: { status: "publishing", ...(cutoff === "all" ? {} : { leaseUntil: { lt: cutoff } }) },
      orderBy: { leaseUntil: "asc" },
      take: limit,
      select: { id: true, leaseUntil: true, leaseOwner: true },
    });
    const taken: Post[] = [];
    for (const candidate of candidates) {
      const row = await this.prisma.$transaction(async (tx) => {
        // Conditional on the lease we saw: another recoverer that renewed it first wins.
        const { count } = await tx.post.updateMany({
          where: { id: candidate.id, status: "publishing", leaseUntil: candidate.leaseUntil },
          data: { leaseUntil, leaseOwner: owner },
        });
        if (count === 0) return null;
        const post = await tx.post.findUniqueOrThrow({
          where: { id: candidate.id },
          include: { ...withLink, campaign: { select: { guildId: true } } },
        });
        await tx.auditEvent.create({
          data: {
            guildId: post.campaign.guildId,
            actor: "scheduler",
            action: "post.recover",
            targetType: "post",
            targetId: String(post.id),
            payload: JSON.stringify({
              expiredLease: candidate.leaseUntil?.toISOString() ?? null,
              from: candidate.leaseOwner,
              owner,
            }),
          },
        });
        return post;
      });
      if (row !== null) taken.push(toPost(row));
    }
    return taken;
  }

  async nextLeaseExpiry(): Promise<Date | null> {
    const row = await this.prisma.post.findFirst({
      where: { status: "publishing", leaseUntil: { not: null } },
      orderBy: { leaseUntil: "asc" },
      select: { leaseUntil: true },
    });
    return row?.leaseUntil ?? null;
  }

  async renewLease(id: number, leaseUntil: Date, owner: string): Promise<boolean> {
    const { count } = await this.prisma.post.updateMany({
      where: { id, status: "publishing", leaseOwner: owner },
      data: { leaseUntil },
    });
    return count === 1;
  }

  async publishTimes(xAccountId: number, since: Date): Promise<Date[]> {
    const rows = await this.prisma.post.findMany({
      where: {
        campaign: { xAccountId },
        OR: [{ status: "published", publishedAt: { gte: since } }, { status: "publishing" }],
      },
      select: { publishedAt: true, updatedAt: true },
    });
    return rows.map((row) => row.publishedAt ?? row.updatedAt);
  }
}
