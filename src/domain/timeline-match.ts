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

/**
 * Whether a post seen on the account's timeline is the one Herald sent. X stores every link as a
 * t.co link, so the raw text never matches: compare the text with links taken out, and the links
 * through `entities.urls[].expanded_url`.
 */
export function isSamePost(sentText: string, seen: TimelinePost): boolean {
  if (withoutLinks(sentText) !== withoutLinks(seen.text)) return false;
  const sentUrls = (sentText.match(URL_PATTERN) ?? []).map(canonicalUrl);
  const seenUrls = new Set(seen.expandedUrls.map(canonicalUrl));
  return sentUrls.every((url) => seenUrls.has(url));
}

export function findSentPost(
  sentText: string,
  timeline: readonly TimelinePost[],
): TimelinePost | null {
  return timeline.find((seen) => isSamePost(sentText, seen)) ?? null;
}
