import type { AuditNote } from "../domain/audit.ts";
import type { ExpiredMedia, MediaRetentionStore } from "../domain/media-retention.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { writeAudit } from "./audit-writer.ts";
import { mediaSchema } from "./post-repository.ts";

const NO_MEDIA = "[]";

export class PrismaMediaRetention implements MediaRetentionStore {
  constructor(private readonly prisma: PrismaClient) {}

  async expiredMedia(before: Date, limit: number): Promise<ExpiredMedia[]> {
    const rows = await this.prisma.post.findMany({
      where: {
        media: { not: NO_MEDIA },
        OR: [
          { status: "published", publishedAt: { lt: before } },
          { status: "cancelled", updatedAt: { lt: before } },
        ],
      },
      select: { id: true, media: true },
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map((row) => ({ postId: row.id, media: mediaSchema.parse(JSON.parse(row.media)) }));
  }

  async forgetMedia(postId: number, audit: AuditNote): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const post = await tx.post.update({
        where: { id: postId },
        data: { media: NO_MEDIA },
        select: { campaign: { select: { guildId: true } } },
      });
      await writeAudit(
        tx,
        { guildId: post.campaign.guildId, targetType: "post", targetId: postId },
        audit,
      );
    });
  }
}
