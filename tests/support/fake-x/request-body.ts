import type { IncomingMessage } from "node:http";
import { readBody } from "../http-body.ts";

/** One part of a multipart/form-data body. */
export interface FormField {
  readonly value: Buffer;
  readonly contentType: string | null;
  readonly filename: string | null;
}

export type RequestBody =
  | { readonly kind: "none" }
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "form"; readonly fields: ReadonlyMap<string, FormField> }
  /** A body X could not read (bad JSON, unknown content type): answered with 400. */
  | { readonly kind: "unreadable"; readonly text: string };

export async function readRequestBody(request: IncomingMessage): Promise<RequestBody> {
  const body = await readBody(request);
  if (body.kind !== "other") return body;
  const { raw, contentType } = body;
  const boundary = /^multipart\/form-data;.*boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
  if (boundary !== undefined) return { kind: "form", fields: parseMultipart(raw, boundary) };
  return { kind: "unreadable", text: raw.toString("utf8") };
}

/** The body as the request log keeps it: JSON as parsed, form files as their size only. */
export function loggableBody(body: RequestBody): unknown {
  switch (body.kind) {
    case "none":
      return undefined;
    case "json":
      return body.value;
    case "unreadable":
      return body.text;
    case "form":
      return Object.fromEntries(
        Array.from(body.fields, ([name, field]) => [
          name,
          isBinary(field) ? { bytes: field.value.length } : field.value.toString("utf8"),
        ]),
      );
  }
}

/** A form field's text; undefined when absent. */
export function formText(body: RequestBody, name: string): string | undefined {
  if (body.kind !== "form") return undefined;
  return body.fields.get(name)?.value.toString("utf8");
}

function isBinary(field: FormField): boolean {
  return field.filename !== null || field.contentType !== null;
}

const CRLF = "\r\n";

/**
 * A minimal RFC 7578 reader: enough for twitter-api-v2's FormDataHelper and curl-style
 * clients. Parts are kept as buffers because media bytes are binary. Node's own parser (the fake
 * Discord's `Response.formData()`) will not do here: twitter-api-v2 sends media parts without a
 * filename, and FormData turns such parts into text, which corrupts the bytes.
 */
function parseMultipart(raw: Buffer, boundary: string): Map<string, FormField> {
  const fields = new Map<string, FormField>();
  const delimiter = Buffer.from(`--${boundary}`);
  let position = raw.indexOf(delimiter);
  while (position !== -1) {
    const partStart = position + delimiter.length;
    if (raw.subarray(partStart, partStart + 2).toString() === "--") break;
    const next = raw.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = raw.subarray(partStart + CRLF.length, next - CRLF.length);
    const headerEnd = part.indexOf(`${CRLF}${CRLF}`);
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const name = /[;\s]name="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) {
        fields.set(name, {
          value: part.subarray(headerEnd + 2 * CRLF.length),
          contentType: /^content-type:\s*(.+)$/im.exec(headers)?.[1]?.trim() ?? null,
          filename: /filename="([^"]*)"/i.exec(headers)?.[1] ?? null,
        });
      }
    }
    position = next;
  }
  return fields;
}
