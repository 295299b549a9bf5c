import {
  DiscordAPIError,
  HTTPError,
  RateLimitError,
  REST,
  RESTJSONErrorCodes,
  Routes,
} from "discord.js";
import {
  APPROVAL_CHANNEL,
  isEdit,
  type OutboxMessage,
  outboxNonce,
  type SentMessage,
} from "../domain/outbox.ts";
import type { BotConnection } from "./bot.ts";

/** Where rows that name no concrete message or channel go, looked up when they are sent. */
export interface OutboxTargets {
  approvalChannelId(guildId: string): Promise<string | null>;
  approvalMessageOf(postId: number): Promise<SentMessage | null>;
}

/** What one attempt at sending a row came to. */
export type DeliveryOutcome =
  | { kind: "sent"; sent: SentMessage }
  /** Worth trying again: Discord down, slow, rate-limiting, or the approval channel not set yet. */
  | { kind: "retry"; reason: string; afterMs?: number }
  /** Trying again cannot help; `channelUnusable` when the channel is gone or closed to the bot. */
  | { kind: "permanent"; reason: string; channelId: string | null; channelUnusable: boolean }
  /** Nothing to do: an update of an approval message that was never shown. */
  | { kind: "skipped"; reason: string };

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
    const shown =
      message.targetPostId !== undefined &&
      (message.kind === "approval.update" || message.kind === "approval.create")
        ? await targets.approvalMessageOf(message.targetPostId)
        : null;
    if (message.kind === "approval.update" && message.targetPostId !== undefined) {
      if (shown === null) {
        return {
          kind: "skipped",
          reason: `post #${message.targetPostId} has no approval message to update`,
        };
      }
      channelId = shown.channelId;
      return await edit(rest, shown, message);
    }
    if (channelId === APPROVAL_CHANNEL) {
      channelId = await targets.approvalChannelId(message.guildId);
      // An admin may set the channel later: keep the row until then (or until it is given up).
      if (channelId === null) return { kind: "retry", reason: "no approval channel set" };
    }
    // Shown there already (an earlier row, or a channel set again): brought up to date instead,
    // unless someone deleted that message.
    if (message.kind === "approval.create" && shown?.channelId === channelId) {
      try {
        return await edit(rest, shown, message);
      } catch (error) {
        if (!isUnknownMessage(error)) throw error;
      }
    }
    if (isEdit(message) && message.targetMessageId !== undefined) {
      return await edit(rest, { channelId, messageId: message.targetMessageId }, message);
    }
    return await create(rest, channelId, message);
  } catch (error) {
    return classify(error, channelId);
  }
}

async function edit(
  rest: REST,
  target: SentMessage,
  message: OutboxMessage,
): Promise<DeliveryOutcome> {
  const { files: _files, ...body } = message.payload;
  await rest.patch(Routes.channelMessage(target.channelId, target.messageId), {
    body: withoutPings(body),
  });
  return { kind: "sent", sent: target };
}

/**
 * A new message. With enforce_nonce, a create Discord already took (its answer lost on the way
 * back) returns the first message instead of posting a second one. Files go as Discord documents
 * uploads: multipart with the JSON as `payload_json` (nonce included) and each file as
 * `files[n]`, which the JSON's `attachments` entry `{ id: n }` names.
 */
async function create(
  rest: REST,
  channelId: string,
  message: OutboxMessage,
): Promise<DeliveryOutcome> {
  const { files = [], ...payload } = message.payload;
  const body = {
    ...withoutPings(payload),
    ...(files.length === 0
      ? {}
      : { attachments: files.map((file, index) => ({ id: index, filename: file.name })) }),
    nonce: outboxNonce(message),
    enforce_nonce: true,
  };
  const created = (await rest.post(Routes.channelMessages(channelId), {
    body,
    ...(files.length === 0
      ? {}
      : {
          files: files.map((file) => ({
            name: file.name,
            contentType: file.contentType,
            data: Buffer.from(file.base64, "base64"),
          })),
        }),
  })) as { id: string };
  return { kind: "sent", sent: { channelId, messageId: created.id } };
}

/**
 * The outbox sends through its own REST client, which has none of the Client's defaults: a
 * message that names no allowed mentions pings nobody, whatever campaign names or post texts hold.
 */
function withoutPings(payload: OutboxMessage["payload"]): OutboxMessage["payload"] {
  return "allowed_mentions" in payload ? payload : { ...payload, allowed_mentions: { parse: [] } };
}

function isUnknownMessage(error: unknown): boolean {
  return error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage;
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
