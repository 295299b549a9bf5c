import type { ChatInputCommandInteraction } from "discord.js";
import { z } from "zod";
import { DomainError } from "../domain/errors.ts";
import type { IncomingAttachment } from "../media/media-store.ts";
import type { BotContext } from "./context.ts";

/** An attachment option as the handlers validate it. */
export const attachmentSchema = z.object({
  url: z.string().url(),
  filename: z.string(),
  contentType: z.string().nullable(),
  size: z.number().int().min(0),
});

/** The file given for an attachment option, or undefined when none was. */
export function attachmentOf(
  interaction: ChatInputCommandInteraction,
  name: string,
): IncomingAttachment | undefined {
  const file = interaction.options.getAttachment(name);
  return file === null
    ? undefined
    : { url: file.url, filename: file.name, contentType: file.contentType, size: file.size };
}

/**
 * Stores an attachment for `use`; when the domain then refuses, the file is deleted again, so a
 * refused command leaves nothing behind.
 */
export async function withMedia<T>(
  ctx: BotContext,
  file: IncomingAttachment | undefined,
  use: (media: string[] | undefined) => Promise<T>,
): Promise<T> {
  const saved = file === undefined ? undefined : [await ctx.media.save(file)];
  try {
    return await use(saved);
  } catch (error) {
    for (const path of saved ?? []) await ctx.media.remove(path);
    throw error;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The bytes of an attachment, at most `maxBytes`: Discord's declared size is checked first, and
 * the limit is enforced again on the bytes that arrive.
 */
export async function downloadAttachment(
  file: IncomingAttachment,
  maxBytes: number,
): Promise<Uint8Array> {
  const tooBig = (size: number) =>
    new DomainError(
      "invalid_input",
      `${file.filename} is ${megabytes(size)}; a file may be at most ${megabytes(maxBytes)}. Split it into parts.`,
    );
  if (file.size > maxBytes) throw tooBig(file.size);
  const unreachable = new DomainError(
    "invalid_input",
    `Could not download ${file.filename} from Discord; attach it again.`,
  );
  if (!/^https?:\/\//.test(file.url)) throw unreachable;
  const response = await fetch(file.url).catch(() => null);
  if (response === null || !response.ok || response.body === null) throw unreachable;
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      throw unreachable;
    });
    if (done) break;
    received += value.length;
    if (received > maxBytes) {
      await reader.cancel();
      throw tooBig(received);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
