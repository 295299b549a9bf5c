import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DomainError } from "../domain/errors.ts";
import type { MediaFiles } from "../domain/media-retention.ts";

/** What X accepts for a post, with X's size limits (images 5 MB, GIFs 15 MB, video 512 MB). */
const ACCEPTED: Record<string, { extension: string; maxBytes: number; kind: string }> = {
  "image/jpeg": { extension: ".jpg", maxBytes: 5 * 1024 * 1024, kind: "image" },
  "image/png": { extension: ".png", maxBytes: 5 * 1024 * 1024, kind: "image" },
  "image/webp": { extension: ".webp", maxBytes: 5 * 1024 * 1024, kind: "image" },
  "image/gif": { extension: ".gif", maxBytes: 15 * 1024 * 1024, kind: "GIF" },
  "video/mp4": { extension: ".mp4", maxBytes: 512 * 1024 * 1024, kind: "video" },
  "video/quicktime": { extension: ".mov", maxBytes: 512 * 1024 * 1024, kind: "video" },
};

export interface IncomingAttachment {
  url: string;
  filename: string;
  contentType: string | null;
  size: number;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Keeps post media under the data folder, so a restart or a retry still has the file. */
export class MediaStore implements MediaFiles {
  constructor(private readonly dir: string) {}

  /** Deletes a stored file; a file already gone, or a path outside the media folder, is left. */
  async remove(path: string): Promise<void> {
    const inside = relative(resolve(this.dir), resolve(path));
    if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) return;
    await rm(path, { force: true });
  }

  /** Checks type and size, downloads the file and returns its stored path. */
  async save(attachment: IncomingAttachment): Promise<string> {
    const type = (attachment.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const accepted = ACCEPTED[type];
    if (accepted === undefined) {
      throw new DomainError(
        "invalid_input",
        `${attachment.filename} is ${type === "" ? "of an unknown type" : type}; attach a JPEG, PNG, WebP or GIF image, or an MP4 or MOV video.`,
      );
    }
    const tooBig = () =>
      new DomainError(
        "invalid_input",
        `${attachment.filename} is ${megabytes(attachment.size)}; X takes ${accepted.kind}s of at most ${megabytes(accepted.maxBytes)}.`,
      );
    if (attachment.size > accepted.maxBytes) throw tooBig();
    if (!/^https?:\/\//.test(attachment.url)) {
      throw new DomainError("invalid_input", "The attachment has no downloadable address.");
    }
    const response = await fetch(attachment.url).catch(() => null);
    if (response === null || !response.ok || response.body === null) {
      throw new DomainError(
        "invalid_input",
        `Could not download ${attachment.filename} from Discord; attach it again.`,
      );
    }
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${randomUUID()}${accepted.extension}`);
    let received = 0;
    // The declared size is Discord's word; the limit is enforced on the bytes that arrive.
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > accepted.maxBytes ? tooBig() : null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as never), limit, createWriteStream(path));
    } catch (error) {
      await rm(path, { force: true });
      throw error instanceof DomainError
        ? error
        : new DomainError(
            "invalid_input",
            `Could not store ${attachment.filename}; attach it again.`,
          );
    }
    return path;
  }
}
