import type { IncomingMessage } from "node:http";
import { readBody } from "../http-body.ts";

/** A file part of a multipart body (`files[n]`), kept as bytes because uploads are binary. */
export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

export type RequestBody =
  | { readonly kind: "none" }
  | { readonly kind: "json"; readonly value: unknown }
  /** multipart/form-data as discord.js sends files: `files[n]` parts and a `payload_json`. */
  | {
      readonly kind: "form";
      readonly value: unknown;
      readonly files: ReadonlyMap<string, UploadedFile>;
    }
  /** A body Discord cannot read: answered 400 with code 50109. */
  | { readonly kind: "unreadable"; readonly text: string };

export async function readRequestBody(request: IncomingMessage): Promise<RequestBody> {
  const body = await readBody(request);
  if (body.kind !== "other") return body;
  const { raw, contentType } = body;
  if (/^multipart\/form-data/i.test(contentType)) return readForm(raw, contentType);
  return { kind: "unreadable", text: raw.toString("utf8") };
}

/** Node's own multipart parser (the fetch Response), instead of a hand-written one. */
async function readForm(raw: Buffer, contentType: string): Promise<RequestBody> {
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  } catch {
    return { kind: "unreadable", text: raw.toString("utf8") };
  }
  const files = new Map<string, UploadedFile>();
  let payloadJson: string | undefined;
  for (const [field, value] of form) {
    if (typeof value === "string") {
      if (field === "payload_json") payloadJson = value;
      continue;
    }
    files.set(field, {
      field,
      filename: value.name,
      contentType: value.type || "application/octet-stream",
      bytes: Buffer.from(await value.arrayBuffer()),
    });
  }
  try {
    const value: unknown = payloadJson === undefined ? {} : JSON.parse(payloadJson);
    return { kind: "form", value, files };
  } catch {
    return { kind: "unreadable", text: payloadJson ?? "" };
  }
}

/** The JSON value of a body (payload_json for multipart); undefined when there is none. */
export function bodyValue(body: RequestBody): unknown {
  return body.kind === "json" || body.kind === "form" ? body.value : undefined;
}

/** The body as the request log keeps it: JSON as parsed, files as name and size only. */
export function loggableBody(body: RequestBody): unknown {
  switch (body.kind) {
    case "none":
      return undefined;
    case "json":
      return body.value;
    case "unreadable":
      return body.text;
    case "form":
      return {
        payload_json: body.value,
        files: [...body.files.values()].map((file) => ({
          field: file.field,
          filename: file.filename,
          bytes: file.bytes.length,
        })),
      };
  }
}
