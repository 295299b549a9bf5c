/**
 * Herald's own tracked links (design.md section 13): a short unguessable code per post, a fresh
 * click id per click, and the affiliate URL a click is sent on to.
 */
import { randomBytes } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** 10 base62 characters: about 60 bits, so codes cannot be guessed or walked. */
export const CODE_LENGTH = 10;
/** 20 base62 characters: unique across every instance without asking the database. */
export const CLICK_ID_LENGTH = 20;

/** What a request may name as a code; anything else is answered 404 before any lookup. */
export const CODE_PATTERN = /^[0-9A-Za-z]{8,32}$/;
/** Click ids as Herald makes them; networks send them back unchanged. */
export const CLICK_ID_PATTERN = /^[0-9A-Za-z]{8,64}$/;

/** The query parameter a click id goes in when the campaign does not name one. */
export const DEFAULT_CLICK_PARAM = "subid";
/** Parameter names networks use: letters, digits and underscores, short. */
export const CLICK_PARAM_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** Bytes below 248 (4 × 62) map evenly onto the alphabet; the rest are skipped, so no bias. */
const UNBIASED_BELOW = 248;

function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    // One call per id, not per character: randomInt per character costs more than the redirect.
    for (const byte of randomBytes(length + 8)) {
      if (byte < UNBIASED_BELOW && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export const newTrackingCode = (): string => randomBase62(CODE_LENGTH);
export const newClickId = (): string => randomBase62(CLICK_ID_LENGTH);

/** The link X receives for a tracked post. */
export function trackedLinkUrl(publicUrl: URL, code: string): string {
  return new URL(`r/${code}`, publicUrl.href.endsWith("/") ? publicUrl : `${publicUrl.href}/`).href;
}

/** The stored affiliate URL (already UTM-tagged) with this click's id in the campaign's parameter. */
export function redirectLocation(trackedUrl: string, clickParam: string, clickId: string): string {
  const url = new URL(trackedUrl);
  url.searchParams.set(clickParam, clickId);
  return url.href;
}
