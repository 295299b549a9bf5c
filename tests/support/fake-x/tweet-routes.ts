import twitterText from "twitter-text";
import { z } from "zod";
import { isXId } from "./ids.ts";
import { shortenLinks } from "./links.ts";
import { postView } from "./post-view.ts";
import {
  duplicateContent,
  type FakeResponse,
  invalidRequest,
  ok,
  resourceNotFound,
} from "./responses.ts";
import { jsonBody, queryList, type RouteContext } from "./route-context.ts";
import { type StoredPost, ZERO_METRICS } from "./store.ts";

const MAX_WEIGHTED_LENGTH = 280;
const MAX_MEDIA = 4;
const MAX_LOOKUP_IDS = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

const createPostBody = z.object({
  text: z.string().optional(),
  media: z.object({ media_ids: z.array(z.string()).min(1).max(MAX_MEDIA) }).optional(),
  paid_partnership: z.boolean().optional(),
  reply: z.object({ in_reply_to_tweet_id: z.string() }).optional(),
});

/** POST /2/tweets: validates as X does, refuses duplicates, stores the post with t.co links. */
export function createPost({ account, body, store }: RouteContext): FakeResponse {
  const parsed = jsonBody(body, createPostBody);
  if (!parsed.ok) return parsed.response;
  const { text = "", media, paid_partnership: paidPartnership = false, reply } = parsed.value;
  const mediaIds = media?.media_ids ?? [];
  if (text === "" && mediaIds.length === 0) {
    return invalidRequest("text", text, "One of text or media is required.");
  }
  for (const id of mediaIds) {
    const item = store.mediaItem(id);
    if (item === undefined || item.ownerId !== account.userId || item.state !== "ready") {
      return invalidRequest("media.media_ids", id, "Your media IDs are invalid.");
    }
  }
  if (twitterText.parseTweet(text).weightedLength > MAX_WEIGHTED_LENGTH) {
    return invalidRequest("text", text, "Tweet text is too long.");
  }
  const now = store.now();
  const isDuplicate = store.posts.some(
    (post) =>
      post.authorId === account.userId &&
      post.text === text &&
      now - Date.parse(post.createdAt) < DAY_MS,
  );
  if (isDuplicate) return duplicateContent();

  const id = store.ids.next();
  const shortened = shortenLinks(text, id);
  const post: StoredPost = {
    id,
    text,
    storedText: shortened.text,
    urls: shortened.urls,
    authorId: account.userId,
    createdAt: new Date(now).toISOString(),
    paidPartnership,
    mediaIds,
    inReplyToId: reply?.in_reply_to_tweet_id ?? null,
    metrics: { ...ZERO_METRICS },
  };
  store.posts.push(post);
  store.bill.write("create", id, account.userId, text);
  return ok({ data: { id, text: post.storedText, edit_history_tweet_ids: [id] } }, 201);
}

/** GET /2/tweets?ids=…: found posts in request order, an `errors` item per missing id. */
export function lookupPosts({ account, query, store }: RouteContext): FakeResponse {
  const idsParameter = query.get("ids") ?? "";
  const ids = idsParameter === "" ? [] : idsParameter.split(",");
  if (ids.length < 1 || ids.length > MAX_LOOKUP_IDS) {
    return invalidRequest(
      "ids",
      idsParameter,
      `The number of values in the \`ids\` query parameter list [${ids.length}] is not between 1 and ${MAX_LOOKUP_IDS}`,
    );
  }
  const malformed = ids.find((id) => !isXId(id));
  if (malformed !== undefined) {
    return invalidRequest(
      "ids",
      malformed,
      `The \`ids\` query parameter value [${malformed}] does not match ^[0-9]{1,19}$`,
    );
  }
  const fields = queryList(query, "tweet.fields");
  const data: Record<string, unknown>[] = [];
  const errors: Record<string, string>[] = [];
  for (const id of ids) {
    const post = store.post(id);
    if (post === undefined) errors.push(resourceNotFound("tweet", "ids", id));
    else {
      data.push(postView(post, fields, account.userId, store.now()));
      store.bill.read("post_read", id, account.userId);
    }
  }
  return ok({
    ...(data.length > 0 ? { data } : {}),
    ...(errors.length > 0 ? { errors } : {}),
  });
}
