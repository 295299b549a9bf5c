import { randomBytes } from "node:crypto";
import type { Snowflakes } from "./snowflakes.ts";

/** An attachment as Discord describes it (`resolved.attachments`, `message.attachments`). */
export interface AttachmentRef {
  readonly id: string;
  readonly filename: string;
  readonly size: number;
  readonly url: string;
  readonly proxy_url: string;
  readonly content_type: string;
  /** Set on files uploaded to a slash command: Discord keeps them only for a while. */
  readonly ephemeral?: boolean;
}

interface StoredFile {
  readonly ref: AttachmentRef;
  readonly bytes: Buffer;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The fake's cdn.discordapp.com: holds uploaded bytes and serves them over HTTP. URLs carry
 * Discord's signed-link query (`ex`, `is`, `hm`), so code that derives a file name from the
 * URL instead of `filename` is caught.
 */
export class AttachmentCdn {
  private readonly files = new Map<string, StoredFile>();

  constructor(
    private readonly origin: string,
    private readonly ids: Snowflakes,
    private readonly now: () => number,
  ) {}

  /** A file a person attaches to a slash command (Discord's ephemeral-attachments). */
  addCommandUpload(
    applicationId: string,
    filename: string,
    contentType: string,
    bytes: Buffer,
  ): AttachmentRef {
    return this.add(`ephemeral-attachments/${applicationId}`, filename, contentType, bytes, true);
  }

  /** A file sent with a message in `channelId`. */
  addMessageFile(
    channelId: string,
    filename: string,
    contentType: string,
    bytes: Buffer,
  ): AttachmentRef {
    return this.add(`attachments/${channelId}`, filename, contentType, bytes, false);
  }

  /** The bytes behind an attachment id or URL; undefined for one the CDN does not hold. */
  bytesOf(idOrUrl: string): Buffer | undefined {
    const byId = this.files.get(idOrUrl);
    if (byId !== undefined) return byId.bytes;
    const path = this.pathOf(idOrUrl);
    return [...this.files.values()].find((file) => this.pathOf(file.ref.url) === path)?.bytes;
  }

  /** Answers a GET on the CDN: the bytes at that path (proxy_url included), or undefined. */
  serve(pathname: string): { bytes: Buffer; contentType: string } | undefined {
    const path = pathname.replace(/^\/media\//, "/");
    for (const file of this.files.values()) {
      if (this.pathOf(file.ref.url) === path) {
        return { bytes: file.bytes, contentType: file.ref.content_type };
      }
    }
    return undefined;
  }

  private add(
    folder: string,
    filename: string,
    contentType: string,
    bytes: Buffer,
    ephemeral: boolean,
  ): AttachmentRef {
    const id = this.ids.next();
    const name = sanitizeFilename(filename);
    const path = `/${folder}/${id}/${encodeURIComponent(name)}`;
    const query = this.signedQuery();
    const ref: AttachmentRef = {
      id,
      filename: name,
      size: bytes.length,
      url: `${this.origin}${path}?${query}`,
      proxy_url: `${this.origin}/media${path}?${query}`,
      content_type: contentType,
      ...(ephemeral ? { ephemeral: true } : {}),
    };
    this.files.set(id, { ref, bytes });
    return ref;
  }

  private signedQuery(): string {
    const issued = Math.floor(this.now() / 1000);
    const expires = Math.floor((this.now() + DAY_MS) / 1000);
    const signature = randomBytes(32).toString("hex");
    return `ex=${expires.toString(16)}&is=${issued.toString(16)}&hm=${signature}&`;
  }

  private pathOf(url: string): string {
    try {
      return new URL(url, this.origin).pathname.replace(/^\/media\//, "/");
    } catch {
      return url;
    }
  }
}

/** Discord stores uploaded names with spaces turned into underscores. */
function sanitizeFilename(filename: string): string {
  return filename.trim().replace(/\s+/g, "_") || "unknown";
}
