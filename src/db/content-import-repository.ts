import { z } from "zod";
import type { AuditNote } from "../domain/audit.ts";
import type {
  ContentImportDraft,
  ContentImportStore,
  ImportRow,
  StoredContentImport,
} from "../domain/content-import.ts";
import type { NewContentItem } from "../domain/content-items.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { writeAudit } from "./audit-writer.ts";
import { contentItemData } from "./content-item-repository.ts";

/** The stored rows, checked as they are read back: a preview is data from another process. */
const importRows = z.array(
  z.object({
    line: z.number().int(),
    text: z.string(),
    link: z.string().nullable(),
    media: z.array(z.string()),
    tags: z.array(z.string()),
    evergreen: z.boolean(),
    expiresOn: z.string().nullable(),
    maxUses: z.number().int().nullable(),
  }),
) satisfies z.ZodType<ImportRow[]>;

/** /content import previews in the ContentImport table. */
export class PrismaContentImports implements ContentImportStore {
  constructor(private readonly prisma: PrismaClient) {}

  async save(draft: ContentImportDraft, expiredBefore: Date): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      // Previews nobody imported within the hour are dropped here rather than by a clock job.
      await tx.contentImport.deleteMany({ where: { createdAt: { lt: expiredBefore } } });
      const row = await tx.contentImport.create({
        data: { ...draft, rows: JSON.stringify(draft.rows) },
        select: { id: true },
      });
      return row.id;
    });
  }

  async find(id: number): Promise<StoredContentImport | null> {
    const row = await this.prisma.contentImport.findUnique({ where: { id } });
    return row === null ? null : { ...row, rows: importRows.parse(JSON.parse(row.rows)) };
  }

  async commit(
    id: number,
    items: readonly NewContentItem[],
    audit: AuditNote,
  ): Promise<number | null> {
    return this.prisma.$transaction(async (tx) => {
      // Taking the preview is the claim: of two presses (or instances), one deletes it and imports.
      const preview = await tx.contentImport.findUnique({
        where: { id },
        select: { guildId: true, campaignId: true },
      });
      const { count } = await tx.contentImport.deleteMany({ where: { id } });
      if (preview === null || count === 0) return null;
      const created = await tx.contentItem.createMany({ data: items.map(contentItemData) });
      await writeAudit(
        tx,
        { guildId: preview.guildId, targetType: "campaign", targetId: preview.campaignId },
        audit,
      );
      return created.count;
    });
  }

  async discard(id: number): Promise<void> {
    await this.prisma.contentImport.deleteMany({ where: { id } });
  }
}
