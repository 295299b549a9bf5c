import {
  DiscordAPIError,
  HTTPError,
  RateLimitError,
  REST,
  RESTJSONErrorCodes,
  Routes,
} from "discord.js";
import { APPROVAL_CHANNEL, isEdit, type OutboxMessage, outboxNonce } from "../domain/outbox.ts";
import type { BotConnection } from "./bot.ts";

/** Where rows that name no concrete message or channel go, looked up when they are sent. */
export interface OutboxTargets {
  approvalChannelId(guildId: string): Promise<string | null>;
  approvalMessageOf(postId: number): Promise<{ channelId: string; messageId: string } | null>;
}

/** What one attempt at sending a row came to. */
export type DeliveryOutcome =
  | { kind: "sent"; messageId: string | null }
  /** Worth trying again: Discord down, slow, rate-limiting, or the approval channel not set yet. */
  | { kind: "retry"; reason: string; afterMs?: number }
  /** Trying again cannot help; `channelUnusable` when the channel is gone or closed to the bot. */
  | { kind: "permanent"; reason: string; channelId: string | null; channelUnusable: boolean };

/** Discord's answers for a channel that is gone or that the bot may not read or write. */
const UNUSABLE_CHANNEL_CODES: readonly number[] = [
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
];

/**
 * A REST client of the outbox's own. The Client's REST retries 5xx and network errors itself and
 * queues 429s for as long as they last, which would hide failures from the outbox and hold a
 * send past stop(); here every failure comes back at once (no retries, 429s rejected), so the
 * outbox's backoff, persisted in the row, is the only retry. Interactions keep the Client's.
 */
export function createOutboxRest(connection: Pick<BotConnection, "token" | "apiBase">): REST {
  return new REST({
    api: connection.apiBase.href.replace(/\/$/, ""),
    retries: 0,
    rejectOnRateLimit: () => true,
    timeout: 15_000,
  }).setToken(connection.token);
}

/** Sends one row: a new message with its nonce, or an edit (idempotent by nature). */
export async function deliver(
  rest: REST,
  targets: OutboxTargets,
  message: OutboxMessage,
): Promise<DeliveryOutcome> {
  let channelId: string | null = message.channelId;
  try {
    if (message.kind === "approval.update" && message.targetPostId !== undefined) {
      const target = await targets.approvalMessageOf(message.targetPostId);
      if (target === null) {
        return {
          kind: "permanent",
          reason: `post #${message.targetPostId} has no approval message to update`,
          channelId: null,
          channelUnusable: false,
        };
      }
      channelId = target.channelId;
      await rest.patch(Routes.channelMessage(target.channelId, target.messageId), {
        body: withoutPings(message.payload),
      });
      return { kind: "sent", messageId: target.messageId };
    }
    if (channelId === APPROVAL_CHANNEL) {
      channelId = await targets.approvalChannelId(message.guildId);
      // An admin may set the channel later: keep the row until then (or until it is given up).
      if (channelId === null) return { kind: "retry", reason: "no approval channel set" };
    }
    if (isEdit(message) && message.targetMessageId !== undefined) {
      await rest.patch(Routes.channelMessage(channelId, message.targetMessageId), {
        body: withoutPings(message.payload),
      });
      return { kind: "sent", messageId: message.targetMessageId };
    }
    // With enforce_nonce, a create Discord already took (its answer lost on the way back)
    // returns the first message instead of posting a second one.
    const created = (await rest.post(Routes.channelMessages(channelId), {
      body: { ...withoutPings(message.payload), nonce: outboxNonce(message), enforce_nonce: true },
    })) as { id: string };
    return { kind: "sent", messageId: created.id };
  } catch (error) {
    return classify(error, channelId);
  }
}

/**
 * The outbox sends through its own REST client, which has none of the Client's defaults: a
 * message that names no allowed mentions pings nobody, whatever campaign names or post texts hold.
 */
function withoutPings(payload: OutboxMessage["payload"]): OutboxMessage["payload"] {
  return "allowed_mentions" in payload ? payload : { ...payload, allowed_mentions: { parse: [] } };
}

function classify(error: unknown, channelId: string | null): DeliveryOutcome {
  if (error instanceof RateLimitError) {
    return {
      kind: "retry",
      reason: `rate limited${error.global ? " (global)" : ""} on ${error.route}`,
      afterMs: Math.max(error.retryAfter, error.timeToReset, 0),
    };
  }
  if (error instanceof DiscordAPIError) {
    const reason = `Discord ${error.status} (${error.code}): ${error.message}`;
    if (error.status >= 500 || error.status === 401 || error.status === 429) {
      return { kind: "retry", reason };
    }
    const channelUnusable = UNUSABLE_CHANNEL_CODES.includes(Number(error.code));
    return { kind: "permanent", reason, channelId, channelUnusable };
  }
  if (error instanceof HTTPError) {
    // 5xx without Discord's JSON (a Cloudflare page): Discord is down, not the message wrong.
    return { kind: "retry", reason: `Discord ${error.status}: ${error.message}` };
  }
  // Network errors and timeouts: the message may or may not have arrived; the nonce covers it.
  return { kind: "retry", reason: error instanceof Error ? error.message : String(error) };
}
