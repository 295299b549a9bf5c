import type { AttachmentCdn } from "./attachment-cdn.ts";
import {
  applyDraft,
  type MessageDraft,
  newMessageFields,
  readDraft,
  resolveAttachments,
} from "./message-drafts.ts";
import { refuseMessage } from "./message-limits.ts";
import { type AllowedMentions, type Pings, pingsOf } from "./message-mentions.ts";
import type { MessageStore, NewMessage, StoredMessage } from "./message-store.ts";
import type { RequestBody, UploadedFile } from "./request-body.ts";
import type { FakeResponse } from "./responses.ts";

/** The message part of a request: its fields and the files uploaded with it. */
export interface MessageBody {
  readonly draft: MessageDraft;
  readonly files: ReadonlyMap<string, UploadedFile>;
}

/**
 * The message in a JSON or multipart body; `pick` selects it inside the JSON (an interaction
 * callback nests it in `data`). Undefined for a body Discord could not read.
 */
export function readMessageBody(
  body: RequestBody,
  pick: (value: unknown) => unknown = (value) => value,
): MessageBody | undefined {
  switch (body.kind) {
    case "none":
      return { draft: {}, files: new Map() };
    case "json":
      return { draft: readDraft(pick(body.value)), files: new Map() };
    case "form":
      return { draft: readDraft(pick(body.value)), files: body.files };
    case "unreadable":
      return undefined;
  }
}

/** Where a new message goes and what Discord records about who made it. */
export type MessageOrigin = Omit<
  NewMessage,
  "content" | "embeds" | "components" | "attachments" | "flags"
>;

export type WriteResult =
  | { readonly ok: true; readonly message: StoredMessage }
  | { readonly ok: false; readonly response: FakeResponse };

/** One accepted create or edit of a message, whichever route it came through. */
export interface MessageWrite {
  readonly kind: "create" | "edit";
  readonly messageId: string;
  readonly channelId: string;
  /** The message's content after the write. */
  readonly content: string;
  /** As the body carried it; undefined when it carried none (Discord then parses every mention). */
  readonly allowedMentions: AllowedMentions | undefined;
  /**
   * Whom the content notifies under this write's allowed_mentions. Counted for edits too
   * (Discord notifies only on create), so a check over every write errs on the safe side.
   */
  readonly pings: Pings;
}

/** Creates and edits messages from request bodies: limits, then uploads, then the store. */
export class MessageWriter {
  /** Every accepted write, oldest first. */
  readonly writes: MessageWrite[] = [];

  constructor(
    private readonly store: MessageStore,
    private readonly cdn: AttachmentCdn,
  ) {}

  create(body: MessageBody, origin: MessageOrigin): WriteResult {
    const refused = refuseMessage(body.draft, { creating: true, fileCount: body.files.size });
    if (refused !== undefined) return { ok: false, response: refused };
    const attachments = resolveAttachments(body.draft, body.files, [], (file, name) =>
      this.cdn.addMessageFile(origin.channelId, name, file.contentType, file.bytes),
    );
    const message = this.store.create({
      ...origin,
      ...newMessageFields(body.draft, attachments),
    });
    this.record("create", message, body.draft);
    return { ok: true, message };
  }

  edit(message: StoredMessage, body: MessageBody): WriteResult {
    const refused = refuseMessage(body.draft, { creating: false, fileCount: body.files.size });
    if (refused !== undefined) return { ok: false, response: refused };
    const attachments = resolveAttachments(
      body.draft,
      body.files,
      message.attachments,
      (file, name) =>
        this.cdn.addMessageFile(message.channelId, name, file.contentType, file.bytes),
    );
    const edited = this.store.edit(message, (target) =>
      applyDraft(target, body.draft, attachments),
    );
    this.record("edit", edited, body.draft);
    return { ok: true, message: edited };
  }

  private record(kind: MessageWrite["kind"], message: StoredMessage, draft: MessageDraft): void {
    this.writes.push({
      kind,
      messageId: message.id,
      channelId: message.channelId,
      content: message.content,
      allowedMentions: draft.allowedMentions,
      pings: pingsOf(message.content, draft.allowedMentions),
    });
  }
}
