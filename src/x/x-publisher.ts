import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import type { TwitterApi, TwitterRateLimit } from "twitter-api-v2";
import { z } from "zod";
import type { Clock } from "../domain/ports.ts";
import type {
  PublishAccount,
  Publisher,
  PublishOutcome,
  PublishRequest,
  TimelinePost,
} from "../domain/publishing.ts";
import { XClients, type XConnection } from "./client.ts";
import { classifyXError, exhaustedUntil } from "./error-mapping.ts";

export interface XClientSettings extends XConnection {
  clock: Clock;
}

const createdPost = z.object({
  data: z.object({ id: z.string().regex(/^\d+$/), text: z.string() }),
});
const timelinePage = z.object({
  data: z
    .array(
      z.object({
        id: z.string(),
        text: z.string(),
        created_at: z.string(),
        entities: z
          .object({
            urls: z
              .array(z.object({ url: z.string(), expanded_url: z.string().optional() }))
              .optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  meta: z.object({ result_count: z.number(), next_token: z.string().optional() }).passthrough(),
});

const MEDIA_TYPES: Record<string, { mime: string; category: string }> = {
  ".jpg": { mime: "image/jpeg", category: "tweet_image" },
  ".jpeg": { mime: "image/jpeg", category: "tweet_image" },
  ".png": { mime: "image/png", category: "tweet_image" },
  ".webp": { mime: "image/webp", category: "tweet_image" },
  ".gif": { mime: "image/gif", category: "tweet_gif" },
  ".mp4": { mime: "video/mp4", category: "tweet_video" },
  ".mov": { mime: "video/quicktime", category: "tweet_video" },
};

/** Posts per timeline request: X's maximum page size. */
const TIMELINE_PAGE = 100;
/**
 * X serves at most an account's 3,200 latest posts on its timeline. Recovery reads every page since
 * `since`: after a busy minute (several instances publishing a backlog) the post it looks for can
 * lie well past the first page.
 */
const TIMELINE_MAX_PAGES = 32;

/** Publishes through X API v2 with twitter-api-v2; every failure becomes a typed outcome. */
export class XPublisher implements Publisher {
  private readonly clients: XClients;

  constructor(private readonly settings: XClientSettings) {
    this.clients = new XClients(settings);
  }

  async publish(request: PublishRequest): Promise<PublishOutcome> {
    const client = this.clients.for(request.account);
    let mediaIds: string[];
    try {
      mediaIds = await this.uploadMedia(client, request.media, request.sensitive);
    } catch (error) {
      if (error instanceof MissingMediaError) return { kind: "rejected", reason: error.message };
      return classifyXError(error, this.settings.clock.now());
    }
    // POST /2/tweets takes paid_partnership, which the client's tweet() type lacks.
    const body = {
      text: request.text,
      ...(mediaIds.length > 0 ? { media: { media_ids: mediaIds } } : {}),
      ...(request.paidPartnership ? { paid_partnership: true } : {}),
    };
    try {
      const response = await client.v2.post("tweets", body, { fullResponse: true });
      const parsed = createdPost.safeParse(response.data);
      if (!parsed.success) {
        // X answered 2xx, so the post exists; without its id recovery finds it on the timeline.
        return { kind: "uncertain", reason: "X accepted the post but its answer had no post id" };
      }
      return {
        kind: "published",
        xPostId: parsed.data.data.id,
        limits: {
          blockedUntil: exhaustedUntil(response.rateLimit as TwitterRateLimit | undefined),
        },
      };
    } catch (error) {
      return classifyXError(error, this.settings.clock.now());
    }
  }

  async recentPosts(
    account: PublishAccount,
    since: Date,
  ): Promise<
    { kind: "ok"; posts: TimelinePost[] } | Exclude<PublishOutcome, { kind: "published" }>
  > {
    const client = this.clients.for(account);
    try {
      const posts: TimelinePost[] = [];
      let next: string | undefined;
      for (let pages = 0; pages < TIMELINE_MAX_PAGES; pages += 1) {
        const response = await client.v2.get(`users/${account.xUserId}/tweets`, {
          max_results: TIMELINE_PAGE,
          start_time: since.toISOString(),
          "tweet.fields": "created_at,entities",
          ...(next === undefined ? {} : { pagination_token: next }),
        });
        const page = timelinePage.safeParse(response);
        if (!page.success) {
          return { kind: "uncertain", reason: "X's timeline answer had an unexpected shape" };
        }
        for (const post of page.data.data ?? []) {
          posts.push({
            id: post.id,
            text: post.text,
            createdAt: new Date(post.created_at),
            links: (post.entities?.urls ?? []).flatMap((link) =>
              link.expanded_url === undefined
                ? []
                : [{ url: link.url, expandedUrl: link.expanded_url }],
            ),
          });
        }
        next = page.data.meta.next_token;
        if (next === undefined) break;
      }
      return { kind: "ok", posts };
    } catch (error) {
      return classifyXError(error, this.settings.clock.now());
    }
  }

  private async uploadMedia(
    client: TwitterApi,
    files: string[],
    sensitive: boolean,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const file of files) {
      const type = MEDIA_TYPES[extname(file).toLowerCase()];
      if (type === undefined) {
        throw new MissingMediaError(`The media file ${file} is not an image or video X accepts.`);
      }
      const bytes = await readFile(file).catch(() => {
        throw new MissingMediaError(
          `The media file for this post is missing (${file}). Attach it again with /post edit, then retry.`,
        );
      });
      const id = await client.v2.uploadMedia(bytes, {
        media_type: type.mime as "image/png",
        media_category: type.category as "tweet_image",
      });
      if (sensitive) {
        // POST /2/tweets has no per-post sensitive flag: the warning travels with the media.
        await client.v2.post("media/metadata", {
          id,
          metadata: { sensitive_media_warning: { adult_content: true } },
        });
      }
      ids.push(id);
    }
    return ids;
  }
}

class MissingMediaError extends Error {}
