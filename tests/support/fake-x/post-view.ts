import { metricsAt, type StoredPost } from "./store.ts";

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * A post as X API v2 returns it in lookups and timelines: id, text and edit_history_tweet_ids
 * always, every other field only when asked for in `tweet.fields`. Non-public and organic
 * metrics exist only for the caller's own posts younger than 30 days; X leaves them out
 * otherwise.
 */
export function postView(
  post: StoredPost,
  fields: ReadonlySet<string>,
  callerId: string,
  now: number,
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: post.id,
    text: post.storedText,
    edit_history_tweet_ids: [post.id],
  };
  if (fields.has("created_at")) view.created_at = post.createdAt;
  if (fields.has("author_id")) view.author_id = post.authorId;
  if (fields.has("entities") && post.urls.length > 0) view.entities = { urls: post.urls };
  if (fields.has("referenced_tweets") && post.inReplyToId !== null) {
    view.referenced_tweets = [{ type: "replied_to", id: post.inReplyToId }];
  }
  const m = metricsAt(post, now);
  if (fields.has("public_metrics")) {
    view.public_metrics = {
      retweet_count: m.retweet_count,
      reply_count: m.reply_count,
      like_count: m.like_count,
      quote_count: m.quote_count,
      bookmark_count: m.bookmark_count,
      impression_count: m.impression_count,
    };
  }
  const own = post.authorId === callerId && now - Date.parse(post.createdAt) < THIRTY_DAYS_MS;
  if (own && fields.has("non_public_metrics")) {
    view.non_public_metrics = {
      impression_count: m.impression_count,
      url_link_clicks: m.url_link_clicks,
      user_profile_clicks: m.user_profile_clicks,
    };
  }
  if (own && fields.has("organic_metrics")) {
    view.organic_metrics = {
      impression_count: m.impression_count,
      like_count: m.like_count,
      reply_count: m.reply_count,
      retweet_count: m.retweet_count,
      url_link_clicks: m.url_link_clicks,
      user_profile_clicks: m.user_profile_clicks,
    };
  }
  return view;
}
