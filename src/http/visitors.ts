/**
 * Who clicked, without storing who: bots are told apart by user agent and method, and a visitor is
 * an HMAC of IP and user agent under a key that changes every UTC day, so a stored hash cannot be
 * matched to an address, nor to the same visitor on another day.
 */
import { createHmac } from "node:crypto";
import { isbot } from "isbot";

/** Fetchers that unfurl links in posts and chats; most are in isbot's list, kept here on purpose. */
const LINK_PREVIEW =
  /twitterbot|discordbot|facebookexternalhit|slackbot|telegrambot|whatsapp|linkedinbot|skypeuripreview|embedly/i;

export function isBotRequest(method: string, userAgent: string | undefined): boolean {
  if (method === "HEAD") return true;
  if (userAgent === undefined || userAgent.trim() === "") return true;
  return LINK_PREVIEW.test(userAgent) || isbot(userAgent);
}

/** Hashes visitors under a key derived from HERALD_SECRET_KEY and the UTC date. */
export class VisitorHasher {
  private day = "";
  private key: Buffer = Buffer.alloc(0);

  constructor(private readonly secretKey: Buffer) {}

  hash(ip: string, userAgent: string, at: Date): string {
    const day = at.toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.key = createHmac("sha256", this.secretKey).update(`visitor-key:${day}`).digest();
    }
    return createHmac("sha256", this.key).update(`${ip}\n${userAgent}`).digest("base64url");
  }
}

/** The UTC hour a click falls in, YYYY-MM-DDTHH: one count per visitor, post and hour. */
export const clickHour = (at: Date): string => at.toISOString().slice(0, 13);
