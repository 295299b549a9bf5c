import type { IncomingMessage } from "node:http";

/** What both fakes first make of a request body, before their own multipart handling. */
export type ReadBody =
  | { readonly kind: "none" }
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "unreadable"; readonly text: string }
  /** Neither empty nor JSON: the caller decides (multipart, or unreadable). */
  | { readonly kind: "other"; readonly raw: Buffer; readonly contentType: string };

/** Reads the whole body; JSON (by content type) is parsed, bad JSON is "unreadable". */
export async function readBody(request: IncomingMessage): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return { kind: "none" };
  const contentType = request.headers["content-type"] ?? "";
  if (!/^application\/json/i.test(contentType)) return { kind: "other", raw, contentType };
  try {
    return { kind: "json", value: JSON.parse(raw.toString("utf8")) };
  } catch {
    return { kind: "unreadable", text: raw.toString("utf8") };
  }
}
