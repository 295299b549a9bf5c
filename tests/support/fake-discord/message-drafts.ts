import { MessageFlags } from "discord.js";
import type { AttachmentRef } from "./attachment-cdn.ts";
import { type AllowedMentions, readAllowedMentions } from "./message-mentions.ts";
import type { StoredMessage } from "./message-store.ts";
import type { UploadedFile } from "./request-body.ts";

/** An `attachments` entry: a new file (`id` = n of `files[n]`) or an existing one to keep. */
export interface DraftAttachment {
  readonly id: string;
  readonly filename?: string | undefined;
}

/**
 * The message fields of a create or edit body. `undefined` means "not sent" (an edit keeps
 * the field), `null` means "clear it", as Discord reads PATCH bodies.
 */
export interface MessageDraft {
  readonly content?: string | null | undefined;
  readonly embeds?: readonly unknown[] | null | undefined;
  readonly components?: readonly unknown[] | null | undefined;
  readonly flags?: number | null | undefined;
  readonly attachments?: readonly DraftAttachment[] | null | undefined;
  /** Which mentions in `content` may notify; undefined (not sent): all of them. */
  readonly allowedMentions?: AllowedMentions | undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The draft in a JSON body (or payload_json); fields of the wrong type count as not sent. */
export function readDraft(value: unknown): MessageDraft {
  if (!isRecord(value)) return {};
  return {
    content: nullableOf(value.content, (v) => typeof v === "string"),
    embeds: nullableOf(value.embeds, Array.isArray),
    components: nullableOf(value.components, Array.isArray),
    flags: nullableOf(value.flags, (v) => typeof v === "number"),
    attachments: readAttachments(value.attachments),
    allowedMentions: readAllowedMentions(value.allowed_mentions),
  };
}

function nullableOf<T>(value: unknown, is: (value: unknown) => boolean): T | null | undefined {
  if (value === null) return null;
  return is(value) ? (value as T) : undefined;
}

function readAttachments(value: unknown): readonly DraftAttachment[] | null | undefined {
  if (value === null) return null;
  if (!Array.isArray(value)) return undefined;
  return value.filter(isRecord).map((entry) => ({
    id: String(entry.id),
    filename: typeof entry.filename === "string" ? entry.filename : undefined,
  }));
}

/**
 * The attachments after a create or edit: the listed ones (new files by their `files[n]`
 * index, existing ones by id) and any uploaded file the list does not mention; undefined when
 * the body changes nothing about attachments.
 */
export function resolveAttachments(
  draft: MessageDraft,
  files: ReadonlyMap<string, UploadedFile>,
  existing: readonly AttachmentRef[],
  upload: (file: UploadedFile, filename: string) => AttachmentRef,
): readonly AttachmentRef[] | undefined {
  const byIndex = new Map<string, UploadedFile>();
  for (const file of files.values()) {
    const index = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? file.field;
    byIndex.set(index, file);
  }
  if (draft.attachments === undefined) {
    if (byIndex.size === 0) return undefined;
    return [...existing, ...[...byIndex.values()].map((file) => upload(file, file.filename))];
  }
  const result: AttachmentRef[] = [];
  const used = new Set<string>();
  for (const entry of draft.attachments ?? []) {
    const file = byIndex.get(entry.id);
    if (file !== undefined) {
      used.add(entry.id);
      result.push(upload(file, entry.filename ?? file.filename));
      continue;
    }
    const kept = existing.find((attachment) => attachment.id === entry.id);
    if (kept !== undefined) result.push(kept);
  }
  for (const [index, file] of byIndex) {
    if (!used.has(index)) result.push(upload(file, file.filename));
  }
  return result;
}

/** The fields of a new message from its draft. */
export function newMessageFields(
  draft: MessageDraft,
  attachments: readonly AttachmentRef[] | undefined,
): Pick<StoredMessage, "content" | "embeds" | "components" | "attachments" | "flags"> {
  return {
    content: draft.content ?? "",
    embeds: draft.embeds ?? [],
    components: draft.components ?? [],
    attachments: attachments ?? [],
    flags: draft.flags ?? 0,
  };
}

/**
 * Applies an edit. An edit cannot make a message ephemeral or public, and filling in a
 * deferred ("thinking…") message clears its LOADING flag.
 */
export function applyDraft(
  message: StoredMessage,
  draft: MessageDraft,
  attachments: readonly AttachmentRef[] | undefined,
): void {
  if (draft.content !== undefined) message.content = draft.content ?? "";
  if (draft.embeds !== undefined) message.embeds = draft.embeds ?? [];
  if (draft.components !== undefined) message.components = draft.components ?? [];
  if (attachments !== undefined) message.attachments = attachments;
  const ephemeral = message.flags & MessageFlags.Ephemeral;
  const requested = draft.flags ?? message.flags;
  message.flags = (requested & ~MessageFlags.Ephemeral & ~MessageFlags.Loading) | ephemeral;
}
