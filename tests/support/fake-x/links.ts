import { createHash } from "node:crypto";
import twitterText from "twitter-text";

/** One item of a post's `entities.urls`, as X API v2 returns it. */
export interface UrlEntity {
  /** Code-point offsets into the stored (t.co) text, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** The t.co link that replaced the original in the text. */
  readonly url: string;
  /** The link as the author wrote it; X adds http:// to a bare domain. */
  readonly expanded_url: string;
  readonly display_url: string;
}

export interface ShortenedText {
  /** The text as X returns it: every link replaced by a t.co link, &, < and > HTML-escaped. */
  readonly text: string;
  readonly urls: readonly UrlEntity[];
}

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DISPLAY_LENGTH = 25;

/**
 * Replaces every link of `text` with a t.co link and escapes the rest, as X does when it stores a
 * post and returns it. Links are
 * found with twitter-text, the library X publishes for its own parsing, so bare domains like
 * "example.com" count as links exactly as they do on X. `salt` (the post id) keeps the t.co
 * codes distinct and deterministic.
 */
export function shortenLinks(text: string, salt: string): ShortenedText {
  const found = twitterText.extractUrlsWithIndices(text);
  let shortened = "";
  let consumed = 0;
  const urls: UrlEntity[] = [];
  found.forEach(({ url, indices: [from, to] }, index) => {
    shortened += escapeHtml(text.slice(consumed, from));
    const tco = `https://t.co/${tcoCode(`${salt}:${index}`)}`;
    const start = codePointLength(shortened);
    shortened += tco;
    consumed = to;
    const expanded = /^https?:\/\//i.test(url) ? url : `http://${url}`;
    urls.push({
      start,
      end: start + tco.length,
      url: tco,
      expanded_url: expanded,
      display_url: displayUrl(expanded),
    });
  });
  return { text: shortened + escapeHtml(text.slice(consumed)), urls };
}

/** X API v2 returns a post's text with &, < and > escaped as HTML entities. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function tcoCode(seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  return Array.from(digest.subarray(0, 10), (byte) => ALPHANUMERIC[byte % 62]).join("");
}

/** X shows links without scheme and "www.", cut with an ellipsis when long. */
function displayUrl(expanded: string): string {
  const bare = expanded.replace(/^https?:\/\//i, "").replace(/^www\./i, "");
  return bare.length > DISPLAY_LENGTH ? `${bare.slice(0, DISPLAY_LENGTH)}…` : bare;
}

/** X API v2 entity offsets count code points, not UTF-16 units. */
function codePointLength(text: string): number {
  return Array.from(text).length;
}
