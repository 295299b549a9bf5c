import type { AuditNote } from "../../src/domain/audit.ts";
import { type Campaign, nameKey } from "../../src/domain/campaigns.ts";
import type {
  ContentImportDraft,
  ContentImportStore,
  StoredContentImport,
} from "../../src/domain/content-import.ts";
import {
  type ContentItem,
  type ContentItemChanges,
  type ContentItemCountFilter,
  type ContentItemFilter,
  type ContentItemRepository,
  type ItemPerformance,
  itemNotFound,
  type NewContentItem,
} from "../../src/domain/content-items.ts";
import type { CampaignRepository } from "../../src/domain/ports.ts";

/** In-memory ports for the content library's unit tests (and autopilot's). */

export function testCampaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: 1,
    guildId: "guild-1",
    name: "Coffee Gear",
    slug: "coffee-gear",
    niche: "coffee",
    xAccountId: null,
    timezone: "Europe/Berlin",
    schedule: { days: "daily", times: ["09:00"] },
    status: "active",
    adult: false,
    defaultLink: "https://shop.example.com/coffee",
    epc: 0,
    paidPartnership: true,
    disclosureTag: null,
    tracking: null,
    clickParam: "subid",
    autopilotEnabled: false,
    autopilotDaysAhead: 3,
    autopilotMinRepeatDays: 14,
    createdBy: "discord:1",
    createdAt: new Date("2026-01-01T00:00:00Z"),
    updatedAt: new Date("2026-01-01T00:00:00Z"),
    ...overrides,
  };
}

export class InMemoryCampaigns implements Pick<CampaignRepository, "findByName" | "findById"> {
  constructor(readonly campaigns: Campaign[]) {}

  async findByName(guildId: string, name: string): Promise<Campaign | null> {
    const key = nameKey(name);
    return this.campaigns.find((c) => c.guildId === guildId && c.slug === key) ?? null;
  }

  async findById(id: number): Promise<Campaign | null> {
    return this.campaigns.find((c) => c.id === id) ?? null;
  }
}

export class InMemoryContentItems implements ContentItemRepository {
  readonly items: ContentItem[] = [];
  readonly audit: AuditNote[] = [];
  readonly earned = new Map<number, ItemPerformance>();
  private nextId = 1;

  constructor(
    private readonly campaigns: InMemoryCampaigns,
    private readonly now: () => Date = () => new Date("2026-06-01T08:00:00Z"),
  ) {}

  /** Adds items as the repository would, for imports (no audit: the import writes one). */
  insert(items: readonly NewContentItem[]): number {
    for (const item of items) {
      this.items.push({
        ...item,
        id: this.nextId++,
        uses: 0,
        lastUsedAt: null,
        createdAt: this.now(),
        updatedAt: this.now(),
      });
    }
    return items.length;
  }

  async create(item: NewContentItem, audit: AuditNote): Promise<ContentItem> {
    this.insert([item]);
    this.audit.push(audit);
    return structuredClone(this.items.at(-1) as ContentItem);
  }

  async findById(id: number): Promise<ContentItem | null> {
    const item = this.items.find((i) => i.id === id);
    return item === undefined ? null : structuredClone(item);
  }

  async list(filter: ContentItemFilter): Promise<ContentItem[]> {
    const offset = filter.offset ?? 0;
    return (await this.matching(filter))
      .sort((a, b) => b.id - a.id)
      .slice(offset, offset + filter.limit);
  }

  async count(filter: ContentItemCountFilter): Promise<number> {
    return (await this.matching(filter)).length;
  }

  async allOf(campaignId: number): Promise<ContentItem[]> {
    return this.items.filter((i) => i.campaignId === campaignId).map((i) => structuredClone(i));
  }

  async update(id: number, changes: ContentItemChanges, audit: AuditNote): Promise<ContentItem> {
    const item = this.items.find((i) => i.id === id);
    if (item === undefined) throw itemNotFound(id);
    Object.assign(item, changes, { updatedAt: this.now() });
    this.audit.push(audit);
    return structuredClone(item);
  }

  async remove(id: number, audit: AuditNote): Promise<ContentItem | null> {
    const index = this.items.findIndex((i) => i.id === id);
    if (index < 0) return null;
    const [removed] = this.items.splice(index, 1);
    this.audit.push(audit);
    return removed ?? null;
  }

  async performance(campaignId: number): Promise<Map<number, ItemPerformance>> {
    const ids = new Set((await this.allOf(campaignId)).map((i) => i.id));
    return new Map([...this.earned].filter(([id]) => ids.has(id)));
  }

  private async matching(filter: ContentItemCountFilter): Promise<ContentItem[]> {
    const inGuild = new Set(
      this.campaigns.campaigns.filter((c) => c.guildId === filter.guildId).map((c) => c.id),
    );
    return this.items
      .filter((i) => inGuild.has(i.campaignId))
      .filter((i) => filter.campaignId === undefined || i.campaignId === filter.campaignId)
      .filter((i) => filter.tag === undefined || i.tags.includes(filter.tag))
      .filter((i) => filter.id === undefined || i.id === filter.id)
      .filter((i) => filter.search === undefined || i.text.includes(filter.search))
      .map((i) => structuredClone(i));
  }
}

export class InMemoryContentImports implements ContentImportStore {
  readonly previews = new Map<number, StoredContentImport>();
  readonly audit: AuditNote[] = [];
  private nextId = 1;

  constructor(private readonly items: InMemoryContentItems) {}

  async save(draft: ContentImportDraft, expiredBefore: Date): Promise<number> {
    for (const [id, preview] of this.previews) {
      if (preview.createdAt < expiredBefore) this.previews.delete(id);
    }
    const id = this.nextId++;
    this.previews.set(id, structuredClone({ ...draft, id }));
    return id;
  }

  async find(id: number): Promise<StoredContentImport | null> {
    const preview = this.previews.get(id);
    return preview === undefined ? null : structuredClone(preview);
  }

  async commit(
    id: number,
    items: readonly NewContentItem[],
    audit: AuditNote,
  ): Promise<number | null> {
    if (!this.previews.delete(id)) return null;
    this.audit.push(audit);
    return this.items.insert(items);
  }

  async discard(id: number): Promise<void> {
    this.previews.delete(id);
  }
}
