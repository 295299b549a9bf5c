import { decodeHTML } from "entities";
import twitterText from "twitter-text";
import type { Post } from "./posts.ts";
import type { TimelinePost } from "./publishing.ts";

/**
 * The URLs X recognises in a text, by X's own rules (twitter-text): bare domains such as
 * `amazon.com` count too, and X turns each of them into a t.co link.
 */
export function urlsIn(text: string): string[] {
  return twitterText.extractUrlsWithIndices(text).map((entity) => entity.url);
}

/** Text without links, whitespace collapsed: what survives X's t.co rewriting. */
function withoutLinks(text: string): string {
  const entities = twitterText.extractUrlsWithIndices(text);
  let rest = "";
  let from = 0;
  for (const { indices } of entities) {
    rest += `${text.slice(from, indices[0])} `;
    from = indices[1];
  }
  rest += text.slice(from);
  return rest.replace(/\s+/gu, " ").trim().normalize("NFC");
}

/** One spelling per URL: a bare domain gets the scheme X gives it when it expands the link. */
function canonicalUrl(url: string): string {
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//iu.test(url) ? url : `http://${url}`;
  try {
    return new URL(withScheme).href;
  } catch {
    return url;
  }
}

/** The links of a timeline post as they were sent: t.co links resolved through its entities. */
function sentFormOfLinks(seen: TimelinePost, text: string): Set<string> {
  const expanded = new Map(seen.links.map((link) => [link.url, link.expandedUrl]));
  const inText = urlsIn(text).map((url) => expanded.get(url) ?? url);
  return new Set([...inText, ...seen.links.map((link) => link.expandedUrl)].map(canonicalUrl));
}

/**
 * Whether a post seen on the account's timeline is the one Herald sent. X stores every link it
 * recognises as a t.co link and returns the text HTML-escaped (`&` as `&amp;`), so the raw text
 * never matches: compare the decoded text with links taken out, and the links through
 * `entities.urls[].expanded_url` (links X did not recognise stay as they were sent).
 */
export function isSamePost(sentText: string, seen: TimelinePost): boolean {
  const seenText = decodeHTML(seen.text);
  if (withoutLinks(sentText) !== withoutLinks(seenText)) return false;
  const seenUrls = sentFormOfLinks(seen, seenText);
  return urlsIn(sentText).every((url) => seenUrls.has(canonicalUrl(url)));
}

export function findSentPost(
  sentText: string,
  timeline: readonly TimelinePost[],
): TimelinePost | null {
  return timeline.find((seen) => isSamePost(sentText, seen)) ?? null;
}

type AttemptedPost = Pick<Post, "attempts" | "firstAttemptAt" | "scheduledAt">;

/**
 * Whether an earlier attempt may already have put the post on X, so the timeline is read before
 * posting: a claim before this one (a timeout, a dropped answer, a crash), or an attempt before
 * the team's Retry (which starts the attempts afresh, at a new time).
 */
export function mayBeOnX(post: AttemptedPost): boolean {
  return (
    post.attempts > 1 || (post.firstAttemptAt !== null && post.firstAttemptAt < post.scheduledAt)
  );
}

/** From when X may hold the post: its first attempt, or its scheduled time if that is earlier. */
export function onXSince(post: AttemptedPost): Date {
  const first = post.firstAttemptAt ?? post.scheduledAt;
  return new Date(Math.min(first.getTime(), post.scheduledAt.getTime()));
}
