/**
 * Affiliate links: checking a link a team member typed in Discord and adding UTM tracking tags
 * to it. Everything goes through the WHATWG URL API (`URL`, `URLSearchParams`); nothing here
 * splits query strings by hand.
 *
 * Decisions:
 * - Only http: and https: links with a domain name are accepted. A host must contain a dot and
 *   not be an IP address, so "http://localhost", intranet names ("http://shop") and
 *   "http://127.0.0.1" or "http://[::1]" are refused: readers on X cannot reach them.
 * - User name and password in a link are refused (they would be published to everyone).
 * - Length: both the typed link and the tracked link must fit in MAX_URL_LENGTH characters.
 * - The query is rewritten with `URLSearchParams`, which keeps every parameter, its value, its
 *   order, repeated keys and empty values, and serialises it as
 *   application/x-www-form-urlencoded: the meaning is kept, the spelling may change ("%20"
 *   becomes "+", a bare "flag" becomes "flag="). Percent-escapes that are not UTF-8 (such as a
 *   Latin-1 "%E9") cannot be kept that way, so such links are refused instead of altered.
 * - utm_source, utm_medium, utm_campaign (and utm_content when given) are set with
 *   `URLSearchParams.set`: an existing key keeps its position and appears once; a missing one is
 *   appended. When no content is given, an existing utm_content is kept untouched.
 */
import { DomainError } from "./errors.ts";

export const MAX_URL_LENGTH = 2048;

export const UTM_DEFAULTS = { source: "x", medium: "social" } as const;

export interface UtmTags {
  /** Defaults to "x". */
  source?: string;
  /** Defaults to "social". */
  medium?: string;
  /** The campaign slug; required. */
  campaign: string;
  /** The post id or variant; omitted when not given. */
  content?: string;
}

const ALLOWED_PROTOCOLS = new Set(["http:", "https:"]);
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

function refuse(message: string): never {
  throw new DomainError("invalid_link", message);
}

function checkLength(length: number, what: string): void {
  if (length > MAX_URL_LENGTH) {
    refuse(
      `${what} is ${formatCount(length)} characters; the limit is ${formatCount(MAX_URL_LENGTH)}. Use a shorter link.`,
    );
  }
}

/** True for a WHATWG-parsed hostname that is an IPv4 or IPv6 address rather than a name. */
function isIpAddress(hostname: string): boolean {
  if (hostname.startsWith("[")) return true;
  // The URL parser turns every host whose last label is numeric into an IPv4 address.
  const lastLabel = hostname.replace(/\.$/, "").split(".").at(-1) ?? "";
  return /^\d+$/.test(lastLabel);
}

/**
 * Checks a link typed by a user and returns it parsed. Throws DomainError "invalid_link" with a
 * message saying what to fix.
 */
export function validateAffiliateUrl(input: string): URL {
  const trimmed = input.trim();
  if (trimmed === "") {
    refuse("The link is empty; paste the full address, starting with https://");
  }
  checkLength(trimmed.length, "The link");

  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    if (!HAS_SCHEME.test(trimmed)) {
      refuse("The link must start with https:// or http:// (for example https://example.com/item)");
    }
    refuse("The link is not a valid web address; copy it again from the browser's address bar");
  }

  if (!ALLOWED_PROTOCOLS.has(url.protocol)) {
    refuse(`The link must start with https:// or http:// (this one starts with ${url.protocol})`);
  }
  if (url.username !== "" || url.password !== "") {
    refuse("Remove the user name and password from the link (the part before @)");
  }
  if (isIpAddress(url.hostname)) {
    refuse("The link must use a domain name such as example.com, not an IP address");
  }
  if (!url.hostname.replace(/\.$/, "").includes(".")) {
    refuse(
      `The link must use a public domain name such as example.com; "${url.hostname}" is not reachable from X`,
    );
  }
  checkLength(url.href.length, "The link");
  return url;
}

/** True when every percent-escape in the query decodes as UTF-8 (so URLSearchParams keeps it). */
function queryIsUtf8(search: string): boolean {
  try {
    // A lone "%" is kept literally by URLSearchParams; escape it so only real escapes are checked.
    decodeURIComponent(search.replace(/%(?![0-9A-Fa-f]{2})/g, "%25"));
    return true;
  } catch {
    return false;
  }
}

function tagValue(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/**
 * Returns `original` with UTM tags added or replaced (see the decisions at the top of the file).
 * Idempotent: building again with the same tags returns the same string. Throws DomainError
 * "invalid_link" when the link is refused by validateAffiliateUrl, when the campaign tag is empty,
 * or when the tracked link would be longer than MAX_URL_LENGTH.
 */
export function buildTrackedUrl(original: string, utm: UtmTags): string {
  const url = validateAffiliateUrl(original);
  if (!queryIsUtf8(url.search)) {
    refuse(
      "The link's query has percent-escapes that are not UTF-8 text (such as %E9 for é); adding tracking tags would change them. Use the UTF-8 form of the link (%C3%A9 for é).",
    );
  }
  const campaign = tagValue(utm.campaign);
  if (campaign === undefined) {
    refuse("The tracking campaign (utm_campaign) is empty; give the campaign a slug");
  }
  const params = url.searchParams;
  params.set("utm_source", tagValue(utm.source) ?? UTM_DEFAULTS.source);
  params.set("utm_medium", tagValue(utm.medium) ?? UTM_DEFAULTS.medium);
  params.set("utm_campaign", campaign);
  const content = tagValue(utm.content);
  if (content !== undefined) params.set("utm_content", content);

  const tracked = url.href;
  checkLength(tracked.length, "With tracking tags the link");
  return tracked;
}
