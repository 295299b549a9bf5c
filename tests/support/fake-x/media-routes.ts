import { z } from "zod";
import { formText } from "./request-body.ts";
import { type FakeResponse, invalidRequest, ok } from "./responses.ts";
import { jsonBody, type RouteContext } from "./route-context.ts";
import type { FakeXStore, StoredMedia } from "./store.ts";

/** How long X keeps an uploaded item that no post uses. */
const EXPIRES_AFTER_SECS = 86_400;

const initializeBody = z.object({
  media_type: z.string().min(1),
  total_bytes: z.number().int().positive(),
  media_category: z.string().optional(),
});

const metadataBody = z.object({
  id: z.string(),
  metadata: z.object({
    alt_text: z.object({ text: z.string().max(1000) }).optional(),
    sensitive_media_warning: z
      .object({
        adult_content: z.boolean().optional(),
        graphic_violence: z.boolean().optional(),
        other: z.boolean().optional(),
      })
      .optional(),
  }),
});

/** POST /2/media/upload (multipart, one request): the whole file in the `media` field. */
export function uploadInOneRequest({ account, body, store }: RouteContext): FakeResponse {
  const file = body.kind === "form" ? body.fields.get("media") : undefined;
  if (file === undefined || file.value.length === 0) {
    return invalidRequest("media", "", "The `media` field is required.");
  }
  const mediaType = formText(body, "media_type") ?? file.contentType ?? "image/png";
  const item = addMedia(store, account.userId, mediaType, formText(body, "media_category"), {
    totalBytes: file.value.length,
  });
  item.receivedBytes = file.value.length;
  finishUpload(item);
  return ok({ data: uploadView(item) });
}

/** POST /2/media/upload/initialize: announces type and size, answers the media id. */
export function initializeUpload({ account, body, store }: RouteContext): FakeResponse {
  const parsed = jsonBody(body, initializeBody);
  if (!parsed.ok) return parsed.response;
  const { media_type, total_bytes, media_category } = parsed.value;
  const item = addMedia(store, account.userId, media_type, media_category, {
    totalBytes: total_bytes,
  });
  return ok({
    data: { id: item.id, media_key: item.mediaKey, expires_after_secs: EXPIRES_AFTER_SECS },
  });
}

/** POST /2/media/upload/:id/append (multipart): one segment of the file. */
export function appendUpload({ account, params, body, store }: RouteContext): FakeResponse {
  const item = ownMedia(store, params.id, account.userId);
  if (item === undefined || item.state !== "uploading") return unknownMedia(params.id);
  const segment = body.kind === "form" ? body.fields.get("media") : undefined;
  if (segment === undefined || formText(body, "segment_index") === undefined) {
    return invalidRequest("media", "", "The `media` and `segment_index` fields are required.");
  }
  item.receivedBytes += segment.value.length;
  return ok({ data: { expires_at: Math.floor(store.now() / 1000) + EXPIRES_AFTER_SECS } });
}

/**
 * POST /2/media/upload/:id/finalize: checks the size. Videos answer processing_info "pending"
 * as on X, which makes twitter-api-v2 poll GET /2/media/upload?command=STATUS once.
 */
export function finalizeUpload({ account, params, store }: RouteContext): FakeResponse {
  const item = ownMedia(store, params.id, account.userId);
  if (item === undefined || item.state !== "uploading") return unknownMedia(params.id);
  if (item.receivedBytes !== item.totalBytes) {
    return invalidRequest(
      "total_bytes",
      String(item.totalBytes),
      `File size mismatch: received ${item.receivedBytes} bytes.`,
    );
  }
  finishUpload(item);
  return ok({ data: uploadView(item) });
}

/** GET /2/media/upload?command=STATUS&media_id=…: processing finishes on the first poll. */
export function uploadStatus({ account, query, store }: RouteContext): FakeResponse {
  const id = query.get("media_id") ?? "";
  const item = ownMedia(store, id, account.userId);
  if (query.get("command") !== "STATUS" || item === undefined || item.state === "uploading") {
    return unknownMedia(id);
  }
  item.state = "ready";
  return ok({
    data: {
      id: item.id,
      media_key: item.mediaKey,
      processing_info: { state: "succeeded", progress_percent: 100 },
    },
  });
}

/** POST /2/media/metadata: alt text and sensitive-media flags, recorded per media id. */
export function createMetadata({ account, body, store }: RouteContext): FakeResponse {
  const parsed = jsonBody(body, metadataBody);
  if (!parsed.ok) return parsed.response;
  const { id, metadata } = parsed.value;
  const item = ownMedia(store, id, account.userId);
  if (item === undefined) return unknownMedia(id);
  if (metadata.alt_text !== undefined) item.altText = metadata.alt_text.text;
  if (metadata.sensitive_media_warning !== undefined) {
    const {
      adult_content = false,
      graphic_violence = false,
      other = false,
    } = metadata.sensitive_media_warning;
    item.sensitiveMediaWarning = { adult_content, graphic_violence, other };
  }
  store.bill.write("media_metadata", id, account.userId);
  return ok({ data: { id, associated_metadata: metadata } });
}

function addMedia(
  store: FakeXStore,
  ownerId: string,
  mediaType: string,
  mediaCategory: string | undefined,
  size: { totalBytes: number },
): StoredMedia {
  const id = store.ids.next();
  const item: StoredMedia = {
    id,
    mediaKey: `${mediaKeyPrefix(mediaType)}_${id}`,
    ownerId,
    mediaType,
    mediaCategory: mediaCategory ?? null,
    totalBytes: size.totalBytes,
    receivedBytes: 0,
    state: "uploading",
    altText: null,
    sensitiveMediaWarning: null,
  };
  store.media.push(item);
  return item;
}

function finishUpload(item: StoredMedia): void {
  item.state = item.mediaType.startsWith("video/") ? "processing" : "ready";
}

function uploadView(item: StoredMedia): Record<string, unknown> {
  return {
    id: item.id,
    media_key: item.mediaKey,
    size: item.receivedBytes,
    expires_after_secs: EXPIRES_AFTER_SECS,
    ...(item.state === "processing"
      ? { processing_info: { state: "pending", check_after_secs: 1 } }
      : {}),
  };
}

/** X's media keys say the kind: 3 photo, 7 video, 16 animated GIF. */
function mediaKeyPrefix(mediaType: string): number {
  if (mediaType === "image/gif") return 16;
  return mediaType.startsWith("video/") ? 7 : 3;
}

function ownMedia(store: FakeXStore, id: string | undefined, userId: string) {
  const item = id === undefined ? undefined : store.mediaItem(id);
  return item?.ownerId === userId ? item : undefined;
}

function unknownMedia(id: string | undefined): FakeResponse {
  return invalidRequest("media_id", id ?? "", "Your media IDs are invalid.");
}
