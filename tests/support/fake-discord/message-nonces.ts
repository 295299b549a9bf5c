/**
 * How long Discord remembers a create's nonce for `enforce_nonce`: "the past few minutes" in its
 * docs (Create Message); five here.
 */
export const NONCE_WINDOW_MS = 5 * 60_000;
/** Discord refuses a longer nonce (an integer or a string of at most 25 characters). */
export const NONCE_MAX_LENGTH = 25;

/**
 * Nonces of the bot's recent creates per channel. With `enforce_nonce: true`, a create that
 * repeats one within the window returns the first message and creates nothing.
 */
export class MessageNonces {
  private readonly seen = new Map<string, { messageId: string; at: number }>();

  constructor(private readonly now: () => number) {}

  /** The message an earlier create with this nonce made in the channel, if still remembered. */
  find(channelId: string, nonce: string): string | undefined {
    const entry = this.seen.get(`${channelId}:${nonce}`);
    if (entry === undefined || this.now() - entry.at > NONCE_WINDOW_MS) return undefined;
    return entry.messageId;
  }

  remember(channelId: string, nonce: string, messageId: string): void {
    this.seen.set(`${channelId}:${nonce}`, { messageId, at: this.now() });
  }
}

/** The nonce and enforce_nonce of a create's JSON (or multipart payload_json). */
export function readNonce(value: unknown): { nonce: string; enforce: boolean } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { nonce, enforce_nonce: enforce } = value as Record<string, unknown>;
  if (typeof nonce !== "string" && typeof nonce !== "number") return undefined;
  return { nonce: String(nonce), enforce: enforce === true };
}
