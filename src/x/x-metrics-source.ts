import { z } from "zod";
import type { PostMetricsCounts } from "../domain/metrics.ts";
import type { MetricsLookup, MetricsSource } from "../domain/metrics-sync.ts";
import type { PublishAccount } from "../domain/publishing.ts";
import { XClients } from "./client.ts";
import { classifyXError } from "./error-mapping.ts";
import type { XClientSettings } from "./x-publisher.ts";

const count = z.number().int().nonnegative();

/** GET /2/tweets as X sends it; every metrics block may be missing, and so may their fields. */
const lookupResponse = z.object({
  data: z
    .array(
      z.object({
        id: z.string(),
        public_metrics: z
          .object({
            retweet_count: count,
            reply_count: count,
            like_count: count,
            quote_count: count,
            bookmark_count: count.optional(),
            impression_count: count.optional(),
          })
          .optional(),
        non_public_metrics: z
          .object({ impression_count: count.optional(), url_link_clicks: count.optional() })
          .optional(),
        organic_metrics: z
          .object({ impression_count: count.optional(), url_link_clicks: count.optional() })
          .optional(),
      }),
    )
    .optional(),
});

type LookedUpPost = NonNullable<z.infer<typeof lookupResponse>["data"]>[number];

/** GET /2/users/:id/tweets: the same posts, a page at a time. */
const timelineResponse = lookupResponse.extend({
  meta: z.object({ next_token: z.string().optional() }).optional(),
});

/** X's most posts per timeline page. */
const TIMELINE_PAGE = 100;
/** X serves at most 3,200 posts of a timeline: 32 pages. */
const TIMELINE_MAX_PAGES = 32;

/** X takes times as YYYY-MM-DDTHH:mm:ssZ, whole seconds. */
function xTime(at: Date, round: "down" | "up"): string {
  const seconds = (round === "down" ? Math.floor : Math.ceil)(at.getTime() / 1000);
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** X's numbers for one post; a counter X left out stays unknown (null), never 0. */
function countsOf(post: LookedUpPost): PostMetricsCounts | null {
  const p = post.public_metrics;
  if (p === undefined) return null;
  const privateImpressions =
    post.non_public_metrics?.impression_count ?? post.organic_metrics?.impression_count;
  return {
    impressions: privateImpressions ?? p.impression_count ?? null,
    likes: p.like_count,
    reposts: p.retweet_count,
    replies: p.reply_count,
    quotes: p.quote_count,
    bookmarks: p.bookmark_count ?? null,
    urlLinkClicks:
      post.non_public_metrics?.url_link_clicks ?? post.organic_metrics?.url_link_clicks ?? null,
  };
}

/** Reads post metrics through X API v2 with twitter-api-v2, as the account that owns the posts. */
export class XMetricsSource implements MetricsSource {
  private readonly clients: XClients;

  constructor(private readonly settings: XClientSettings) {
    this.clients = new XClients(settings);
  }

  async lookup(
    account: PublishAccount,
    xPostIds: string[],
    nonPublic: boolean,
  ): Promise<MetricsLookup> {
    try {
      const response = await this.clients.for(account).v2.get("tweets", {
        ids: xPostIds.join(","),
        "tweet.fields": fieldsFor(nonPublic),
      });
      const parsed = lookupResponse.safeParse(response);
      if (!parsed.success) return unexpectedShape;
      const metrics = new Map<string, PostMetricsCounts>();
      addCounts(metrics, parsed.data.data);
      return { kind: "ok", metrics };
    } catch (error) {
      return this.failure(error);
    }
  }

  async timeline(
    account: PublishAccount,
    window: { start: Date; end: Date },
    nonPublic: boolean,
  ): Promise<MetricsLookup> {
    const client = this.clients.for(account);
    try {
      const metrics = new Map<string, PostMetricsCounts>();
      let next: string | undefined;
      for (let pages = 0; pages < TIMELINE_MAX_PAGES; pages += 1) {
        const response = await client.v2.get(`users/${account.xUserId}/tweets`, {
          max_results: TIMELINE_PAGE,
          start_time: xTime(window.start, "down"),
          end_time: xTime(window.end, "up"),
          "tweet.fields": fieldsFor(nonPublic),
          ...(next === undefined ? {} : { pagination_token: next }),
        });
        const parsed = timelineResponse.safeParse(response);
        if (!parsed.success) return unexpectedShape;
        addCounts(metrics, parsed.data.data);
        next = parsed.data.meta?.next_token;
        if (next === undefined) break;
      }
      return { kind: "ok", metrics };
    } catch (error) {
      return this.failure(error);
    }
  }

  private failure(error: unknown): MetricsLookup {
    const failure = classifyXError(error, this.settings.clock.now());
    // A read cannot be a duplicate post; treat X's odd answer as a refusal of the batch.
    return failure.kind === "duplicate" ? { kind: "rejected", reason: failure.reason } : failure;
  }
}

const unexpectedShape: MetricsLookup = {
  kind: "uncertain",
  reason: "X's metrics answer had an unexpected shape",
};

function fieldsFor(nonPublic: boolean): string {
  return nonPublic ? "public_metrics,non_public_metrics,organic_metrics" : "public_metrics";
}

function addCounts(metrics: Map<string, PostMetricsCounts>, posts: LookedUpPost[] | undefined) {
  for (const post of posts ?? []) {
    const counts = countsOf(post);
    if (counts !== null) metrics.set(post.id, counts);
  }
}
