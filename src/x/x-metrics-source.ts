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
    const fields = nonPublic
      ? "public_metrics,non_public_metrics,organic_metrics"
      : "public_metrics";
    try {
      const response = await this.clients.for(account).v2.get("tweets", {
        ids: xPostIds.join(","),
        "tweet.fields": fields,
      });
      const parsed = lookupResponse.safeParse(response);
      if (!parsed.success) {
        return { kind: "uncertain", reason: "X's metrics answer had an unexpected shape" };
      }
      const metrics = new Map<string, PostMetricsCounts>();
      for (const post of parsed.data.data ?? []) {
        const counts = countsOf(post);
        if (counts !== null) metrics.set(post.id, counts);
      }
      return { kind: "ok", metrics };
    } catch (error) {
      const failure = classifyXError(error, this.settings.clock.now());
      // A read cannot be a duplicate post; treat X's odd answer as a refusal of the batch.
      return failure.kind === "duplicate" ? { kind: "rejected", reason: failure.reason } : failure;
    }
  }
}
