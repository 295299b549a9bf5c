import { newTrackingCode } from "../domain/tracked-links.ts";
import type { PrismaClient } from "./client.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

/** Where a code leads: the post it belongs to and the affiliate URL its clicks are sent to. */
export interface RedirectTarget {
  postId: number;
  trackedUrl: string;
  clickParam: string;
}

/**
 * Tracked-link codes, stored on the post's affiliate link. A code is made lazily, the first time a
 * tracked post is published (or retried), and never changes afterwards, so a retry composes the
 * same text and a recovered publish still finds it on the timeline.
 */
export class PrismaTrackedLinks {
  constructor(
    private readonly prisma: PrismaClient,
    /** When HERALD_PUBLIC_URL is set: campaigns that did not choose are tracked. */
    private readonly trackingByDefault: boolean,
  ) {}

  /** The post's code, made now if it has none; null when the post is not tracked. */
  async codeFor(postId: number): Promise<string | null> {
    const post = await this.prisma.post.findUnique({
      where: { id: postId },
      select: { affiliateLink: true, campaign: { select: { tracking: true } } },
    });
    const link = post?.affiliateLink;
    if (link == null || !(post?.campaign.tracking ?? this.trackingByDefault)) return null;
    if (link.code !== null) return link.code;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // Only set when still unset: another instance retrying the same post keeps its code.
        await this.prisma.affiliateLink.updateMany({
          where: { id: link.id, code: null },
          data: { code: newTrackingCode() },
        });
        break;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    const stored = await this.prisma.affiliateLink.findUnique({ where: { id: link.id } });
    return stored?.code ?? null;
  }

  async target(code: string): Promise<RedirectTarget | null> {
    const link = await this.prisma.affiliateLink.findUnique({
      where: { code },
      select: {
        trackedUrl: true,
        post: { select: { id: true, campaign: { select: { clickParam: true } } } },
      },
    });
    if (link?.post == null) return null;
    return {
      postId: link.post.id,
      trackedUrl: link.trackedUrl,
      clickParam: link.post.campaign.clickParam,
    };
  }
}
