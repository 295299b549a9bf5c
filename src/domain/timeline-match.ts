import type { TimelinePost } from "./publishing.ts";

const URL_PATTERN = /https?:\/\/\S+/giu;

/** Text without links and with whitespace collapsed: what survives X's t.co rewriting. */
function withoutLinks(text: string): string {
  return text.replace(URL_PATTERN, " ").replace(/\s+/gu, " ").trim().normalize("NFC");
}

function canonicalUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** The links of a timeline post as they were sent: t.co links resolved through its entities. */
function sentFormOfLinks(seen: TimelinePost): Set<string> {
  const expanded = new Map(seen.links.map((link) => [link.url, link.expandedUrl]));
  const inText = (seen.text.match(URL_PATTERN) ?? []).map((url) => expanded.get(url) ?? url);
  return new Set([...inText, ...seen.links.map((link) => link.expandedUrl)].map(canonicalUrl));
}

/**
 * Whether a post seen on the account's timeline is the one Herald sent. X stores every link it
 * recognises as a t.co link, so the raw text never matches: compare the text with links taken
 * out, and the links through `entities.urls[].expanded_url` (links X did not recognise stay as
 * they were sent).
 */
export function isSamePost(sentText: string, seen: TimelinePost): boolean {
  if (withoutLinks(sentText) !== withoutLinks(seen.text)) return false;
  const seenUrls = sentFormOfLinks(seen);
  return (sentText.match(URL_PATTERN) ?? []).every((url) => seenUrls.has(canonicalUrl(url)));
}

export function findSentPost(
  sentText: string,
  timeline: readonly TimelinePost[],
): TimelinePost | null {
  return timeline.find((seen) => isSamePost(sentText, seen)) ?? null;
}
