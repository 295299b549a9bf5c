import type { AuditNote } from "./audit.ts";
import { type Campaign, requireCampaign } from "./campaigns.ts";
import { csvItemFields, readContentCsv } from "./content-csv.ts";
import {
  type ContentItem,
  type ContentItemRepository,
  checkItemText,
  type ItemPerformance,
  itemRules,
  localToday,
  type NewContentItem,
  parseExpiresOn,
} from "./content-items.ts";
import type { ContentLibrary } from "./content-library.ts";
import { normaliseForDuplicate } from "./content-policy.ts";
import { DomainError, isDomainError } from "./errors.ts";
import type { CampaignRepository, Clock } from "./ports.ts";
import { countVariants, parseSpintax } from "./spintax.ts";

/** A valid row of an import file, as it will become an item, with its line for messages. */
export type ImportRow = Omit<NewContentItem, "campaignId" | "createdBy"> & { line: number };

export interface ContentImportDraft {
  guildId: string;
  campaignId: number;
  /** The audit actor who ran /content import: the only one who may press Import. */
  createdBy: string;
  fileName: string;
  rows: ImportRow[];
  createdAt: Date;
}

export interface StoredContentImport extends ContentImportDraft {
  id: number;
}

/** Where previews wait for their Import button, so it works after a restart. */
export interface ContentImportStore {
  /** Stores the preview and deletes those created before `expiredBefore`. */
  save(draft: ContentImportDraft, expiredBefore: Date): Promise<number>;
  find(id: number): Promise<StoredContentImport | null>;
  /**
   * Deletes the preview and creates `items`, with the audit event, in one transaction; null when
   * the preview was gone by then (imported by a press a moment earlier, or expired).
   */
  commit(id: number, items: readonly NewContentItem[], audit: AuditNote): Promise<number | null>;
  discard(id: number): Promise<void>;
}

/** How long an Import button works. */
export const IMPORT_PREVIEW_TTL_MS = 60 * 60 * 1000;
/**
 * Variants one file may make Herald check (each costs the policy's checks, ~40 µs): 5,000 rows of
 * 40 variants, and checking stays within seconds.
 */
export const MAX_IMPORT_VARIANTS = 200_000;

export interface ImportRefusal {
  line: number;
  reason: string;
}

export interface ImportPreview {
  /** The stored preview the Import button names; null when no row can be imported. */
  id: number | null;
  campaign: Campaign;
  fileName: string;
  valid: number;
  refused: ImportRefusal[];
}

/** Lets timers and interactions run between chunks of a long check. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

function gone(message: string): DomainError {
  return new DomainError("import_gone", message);
}

/** CSV import (preview, then Import) and export of a campaign's library. */
export class ContentImports {
  constructor(
    private readonly deps: {
      campaigns: Pick<CampaignRepository, "findByName" | "findById">;
      library: ContentLibrary;
      items: ContentItemRepository;
      imports: ContentImportStore;
      clock: Clock;
      onChange?: (campaignId: number) => void;
    },
  ) {}

  /**
   * Reads and checks every row as /content add checks an item, and stores the valid ones for
   * the Import button. Nothing is added to the library yet.
   */
  async preview(
    guildId: string,
    campaignName: string,
    file: { name: string; bytes: Uint8Array },
    actor: string,
  ): Promise<ImportPreview> {
    const campaign = await this.deps.library.liveCampaign(guildId, campaignName);
    const rows = readContentCsv(file.bytes);
    const firstWith = new Map<string, string>();
    for (const item of await this.deps.items.allOf(campaign.id)) {
      firstWith.set(normaliseForDuplicate(item.text), `item #${item.id} of the library`);
    }
    let budget = MAX_IMPORT_VARIANTS;
    const valid: ImportRow[] = [];
    const refused: ImportRefusal[] = [];
    for (const [index, row] of rows.entries()) {
      if (index % 50 === 49) await breathe();
      if ("problem" in row) {
        refused.push({ line: row.line, reason: row.problem });
        continue;
      }
      try {
        const {
          campaignId: _,
          createdBy: __,
          ...item
        } = this.deps.library.prepare(campaign, csvItemFields(row.cells), actor);
        budget -= countVariants(parseSpintax(item.text));
        if (budget < 0) {
          throw new DomainError(
            "invalid_input",
            `the file's texts stand for more than ${MAX_IMPORT_VARIANTS.toLocaleString("en-US")} variants together; import the rest in another file`,
          );
        }
        checkItemText(item.text, itemRules(campaign, item.link));
        const key = normaliseForDuplicate(item.text);
        const first = firstWith.get(key);
        if (first !== undefined) {
          throw new DomainError("content_duplicate", `the same text as ${first}`);
        }
        firstWith.set(key, `line ${row.line}`);
        valid.push({ line: row.line, ...item });
      } catch (error) {
        if (!isDomainError(error)) throw error;
        refused.push({ line: row.line, reason: error.message });
      }
    }
    const now = this.deps.clock.now();
    const id =
      valid.length === 0
        ? null
        : await this.deps.imports.save(
            {
              guildId,
              campaignId: campaign.id,
              createdBy: actor,
              fileName: file.name,
              rows: valid,
              createdAt: now,
            },
            new Date(now.getTime() - IMPORT_PREVIEW_TTL_MS),
          );
    return { id, campaign, fileName: file.name, valid: valid.length, refused };
  }

  /**
   * The Import button: adds the preview's rows in one transaction, once, for the member who ran
   * the import. Rows are checked again, since the campaign's rules may have changed meanwhile.
   */
  async confirm(
    guildId: string,
    importId: number,
    actor: string,
  ): Promise<{ campaign: Campaign; imported: number }> {
    const stored = await this.deps.imports.find(importId);
    if (stored === null || stored.guildId !== guildId) {
      throw gone("This file was imported already, or its preview expired. Nothing changed.");
    }
    if (stored.createdBy !== actor) {
      throw new DomainError(
        "forbidden",
        "Only the member who ran this /content import can press its Import button.",
      );
    }
    const now = this.deps.clock.now();
    if (now.getTime() - stored.createdAt.getTime() > IMPORT_PREVIEW_TTL_MS) {
      await this.deps.imports.discard(stored.id);
      throw gone(
        "This preview expired (previews are kept for an hour). Run /content import again.",
      );
    }
    const campaign = await this.deps.campaigns.findById(stored.campaignId);
    if (campaign === null || campaign.status === "archived") {
      await this.deps.imports.discard(stored.id);
      throw gone("The campaign of this import is archived or gone; nothing was imported.");
    }
    const items = await this.recheck(campaign, stored);
    const imported = await this.deps.imports.commit(stored.id, items, {
      actor,
      action: "content_item.imported",
      payload: { campaignId: campaign.id, fileName: stored.fileName, items: items.length },
    });
    if (imported === null) {
      throw gone("This file was imported already, or its preview expired. Nothing changed.");
    }
    this.deps.onChange?.(campaign.id);
    return { campaign, imported };
  }

  /** Everything /content export writes: the items and what their posts earned (archived campaigns too). */
  async export(
    guildId: string,
    campaignName: string,
  ): Promise<{
    campaign: Campaign;
    items: ContentItem[];
    performance: Map<number, ItemPerformance>;
  }> {
    const campaign = await requireCampaign(this.deps.campaigns, guildId, campaignName);
    const items = await this.deps.items.allOf(campaign.id);
    return { campaign, items, performance: await this.deps.items.performance(campaign.id) };
  }

  private async recheck(
    campaign: Campaign,
    stored: StoredContentImport,
  ): Promise<NewContentItem[]> {
    const today = localToday(campaign, this.deps.clock.now());
    // The variants passed the campaign's rules at the preview; only a campaign changed since
    // then (a disclosure tag set, marked adult, another link) needs them checked again, which
    // for 5,000 rows of spintax takes seconds.
    const rulesMayDiffer = campaign.updatedAt.getTime() >= stored.createdAt.getTime();
    const taken = new Set(
      (await this.deps.items.allOf(campaign.id)).map((item) => normaliseForDuplicate(item.text)),
    );
    const items: NewContentItem[] = [];
    for (const [index, { line, ...row }] of stored.rows.entries()) {
      if (index % 50 === 49) await breathe();
      try {
        if (rulesMayDiffer) checkItemText(row.text, itemRules(campaign, row.link));
        if (row.expiresOn !== null) parseExpiresOn(row.expiresOn, today);
        if (taken.has(normaliseForDuplicate(row.text))) {
          throw new DomainError("content_duplicate", "the library has this text now");
        }
      } catch (error) {
        if (!isDomainError(error)) throw error;
        await this.deps.imports.discard(stored.id);
        throw new DomainError(
          error.code,
          `Since the preview, line ${line} became refused: ${error.message} Nothing was imported; run /content import again.`,
        );
      }
      items.push({ ...row, campaignId: campaign.id, createdBy: stored.createdBy });
    }
    return items;
  }
}
