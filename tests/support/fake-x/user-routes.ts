import { isXId } from "./ids.ts";
import { postView } from "./post-view.ts";
import { type FakeResponse, invalidRequest, ok, resourceNotFound } from "./responses.ts";
import { queryList, type RouteContext } from "./route-context.ts";
import type { StoredPost } from "./store.ts";

const DEFAULT_PAGE_SIZE = 10;
const MIN_PAGE_SIZE = 5;
const MAX_PAGE_SIZE = 100;

/** GET /2/users/me: the account the token belongs to. */
export function me({ account, store }: RouteContext): FakeResponse {
  const { userId, username, name = username } = account;
  store.bill.read("user_read", userId, userId);
  return ok({ data: { id: userId, name, username } });
}

/**
 * GET /2/users/:id/tweets: the user's posts newest first, filtered by since_id, until_id,
 * start_time, end_time and exclude=replies, in pages of max_results with a next_token.
 */
export function userTimeline({ account, params, query, store }: RouteContext): FakeResponse {
  const userId = params.id ?? "";
  if (store.accountById(userId) === undefined) {
    return ok({ errors: [resourceNotFound("user", "id", userId)] });
  }
  const pageSizeParameter = query.get("max_results");
  const pageSize = pageSizeParameter === null ? DEFAULT_PAGE_SIZE : Number(pageSizeParameter);
  if (!Number.isInteger(pageSize) || pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE) {
    return invalidRequest(
      "max_results",
      pageSizeParameter ?? "",
      `The \`max_results\` query parameter value [${pageSizeParameter}] is not between ${MIN_PAGE_SIZE} and ${MAX_PAGE_SIZE}`,
    );
  }
  for (const name of ["since_id", "until_id"]) {
    const value = query.get(name);
    if (value !== null && !isXId(value)) {
      return invalidRequest(
        name,
        value,
        `The \`${name}\` query parameter value [${value}] is not valid`,
      );
    }
  }
  const token = query.get("pagination_token");
  const before = token === null ? undefined : pageStart(token);
  if (before === null) {
    return invalidRequest("pagination_token", token ?? "", "The `pagination_token` is invalid");
  }
  const matching = store.posts
    .filter((post) => post.authorId === userId && matchesFilters(post, query))
    .filter((post) => before === undefined || BigInt(post.id) < before)
    .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
  const page = matching.slice(0, pageSize);
  const newest = page[0];
  const oldest = page.at(-1);
  if (newest === undefined || oldest === undefined) return ok({ meta: { result_count: 0 } });
  const fields = queryList(query, "tweet.fields");
  // The owned rate is for the app owner reading its own timeline; anything else is a post read.
  const owned = account.userId === userId && account.ownsApp === true;
  for (const post of page)
    store.bill.read(owned ? "owned_read" : "post_read", post.id, account.userId);
  return ok({
    data: page.map((post) => postView(post, fields, account.userId, store.now())),
    meta: {
      result_count: page.length,
      newest_id: newest.id,
      oldest_id: oldest.id,
      ...(matching.length > page.length ? { next_token: pageToken(oldest.id) } : {}),
    },
  });
}

function matchesFilters(post: StoredPost, query: URLSearchParams): boolean {
  const id = BigInt(post.id);
  const createdAt = Date.parse(post.createdAt);
  const sinceId = query.get("since_id");
  const untilId = query.get("until_id");
  const startTime = query.get("start_time");
  const endTime = query.get("end_time");
  if (sinceId !== null && id <= BigInt(sinceId)) return false;
  if (untilId !== null && id >= BigInt(untilId)) return false;
  if (startTime !== null && createdAt < Date.parse(startTime)) return false;
  if (endTime !== null && createdAt >= Date.parse(endTime)) return false;
  if (queryList(query, "exclude").has("replies") && post.inReplyToId !== null) return false;
  return true;
}

/** X's tokens are opaque; this one carries the id the next page starts below. */
function pageToken(oldestId: string): string {
  return Buffer.from(`before:${oldestId}`).toString("base64url");
}

/** The id a page token starts below; null for a token this fake did not hand out. */
function pageStart(token: string): bigint | null {
  const id = /^before:(\d+)$/.exec(Buffer.from(token, "base64url").toString())?.[1];
  return id === undefined ? null : BigInt(id);
}
