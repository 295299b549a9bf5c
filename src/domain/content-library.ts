import { type Campaign, CLEAR_VALUE, requireCampaign } from "./campaigns.ts";
import {
  type ContentItem,
  type ContentItemChanges,
  type ContentItemCountFilter,
  type ContentItemFilter,
  type ContentItemRepository,
  checkItemText,
  type ItemCheck,
  itemNotFound,
  itemRules,
  localToday,
  MAX_ITEM_MEDIA,
  type NewContentItem,
  normaliseItemText,
  parseExpiresOn,
  parseItemLink,
  parseMaxUses,
  parseTags,
} from "./content-items.ts";
import { normaliseForDuplicate } from "./content-policy.ts";
import { DomainError, isDomainError } from "./errors.ts";
import type { CampaignRepository, Clock } from "./ports.ts";

/** What /content add collects, as typed; media are already stored (or URLs). */
export interface ItemInput {
  text: string;
  link?: string | undefined;
  media?: string[] | undefined;
  evergreen?: boolean | undefined;
  tags?: string | undefined;
  expiresOn?: string | undefined;
  maxUses?: number | undefined;
}

/**
 * What /content edit collects: only what was given. "none" clears the link (back to the
 * campaign's), the tags and the expiry; max_uses 0 removes the maximum.
 */
export type ItemEdit = { [Field in keyof ItemInput]?: ItemInput[Field] | undefined };

/** An item as /content show presents it: what its text stands for, or why it fails now. */
export interface ItemDescription {
  item: ContentItem;
  campaign: Campaign;
  check: ItemCheck | { problem: string };
}

/** The library of each campaign (design.md section 12): items checked in every variant. */
export class ContentLibrary {
  constructor(
    private readonly deps: {
      campaigns: Pick<CampaignRepository, "findByName" | "findById">;
      items: ContentItemRepository;
      clock: Clock;
      /** Told after every change to a campaign's library (autopilot fills again). */
      onChange?: (campaignId: number) => void;
    },
  ) {}

  async add(
    guildId: string,
    campaignName: string,
    input: ItemInput,
    actor: string,
  ): Promise<{ item: ContentItem; check: ItemCheck }> {
    const campaign = await this.liveCampaign(guildId, campaignName);
    const item = this.prepare(campaign, input, actor);
    const check = checkItemText(item.text, itemRules(campaign, item.link));
    await this.refuseRepeat(campaign.id, item.text);
    const created = await this.deps.items.create(item, {
      actor,
      action: "content_item.added",
      payload: { campaignId: campaign.id, variants: check.variants },
    });
    this.deps.onChange?.(campaign.id);
    return { item: created, check };
  }

  async edit(
    guildId: string,
    itemId: number,
    edit: ItemEdit,
    actor: string,
  ): Promise<{ item: ContentItem; check: ItemCheck }> {
    const { item, campaign } = await this.itemInGuild(guildId, itemId);
    const changes = this.changesOf(campaign, edit);
    const changed = Object.keys(changes);
    if (changed.length === 0) {
      throw new DomainError(
        "invalid_input",
        "Nothing to change: give the new text, link, media, evergreen, tags, expires_on or max_uses.",
      );
    }
    const after = { ...item, ...changes };
    // The link changes the length of every variant, so the text is checked whatever changed.
    const check = checkItemText(after.text, itemRules(campaign, after.link));
    if (changes.text !== undefined) await this.refuseRepeat(campaign.id, after.text, item.id);
    const previous = Object.fromEntries(
      changed.map((field) => [field, item[field as keyof ContentItem]]),
    );
    const updated = await this.deps.items.update(item.id, changes, {
      actor,
      action: "content_item.edited",
      payload: { changed, previous },
    });
    this.deps.onChange?.(campaign.id);
    return { item: updated, check };
  }

  async remove(guildId: string, itemId: number, actor: string): Promise<ContentItem> {
    const { item, campaign } = await this.itemInGuild(guildId, itemId);
    const removed = await this.deps.items.remove(item.id, {
      actor,
      action: "content_item.removed",
      payload: { campaignId: campaign.id, text: item.text },
    });
    if (removed === null) throw itemNotFound(itemId);
    this.deps.onChange?.(campaign.id);
    return removed;
  }

  async describe(guildId: string, itemId: number): Promise<ItemDescription> {
    const { item, campaign } = await this.itemInGuild(guildId, itemId);
    try {
      return { item, campaign, check: checkItemText(item.text, itemRules(campaign, item.link)) };
    } catch (error) {
      // The campaign's rules may have changed since the item was saved: show why, do not fail.
      if (!isDomainError(error)) throw error;
      return { item, campaign, check: { problem: error.message } };
    }
  }

  list(filter: ContentItemFilter): Promise<ContentItem[]> {
    return this.deps.items.list(filter);
  }

  count(filter: ContentItemCountFilter): Promise<number> {
    return this.deps.items.count(filter);
  }

  /** The item and its campaign, refused as not found when it belongs to another guild. */
  async itemInGuild(
    guildId: string,
    itemId: number,
  ): Promise<{ item: ContentItem; campaign: Campaign }> {
    const item = await this.deps.items.findById(itemId);
    const campaign = item === null ? null : await this.deps.campaigns.findById(item.campaignId);
    if (item === null || campaign === null || campaign.guildId !== guildId) {
      throw itemNotFound(itemId);
    }
    return { item, campaign };
  }

  /** A campaign whose library may change: archived campaigns keep theirs as it is. */
  async liveCampaign(guildId: string, name: string): Promise<Campaign> {
    const campaign = await requireCampaign(this.deps.campaigns, guildId, name);
    if (campaign.status === "archived") {
      throw new DomainError(
        "campaign_state",
        `Campaign "${campaign.name}" is archived; its library can no longer change.`,
      );
    }
    return campaign;
  }

  /** The item as stored, each field checked; the text's variants are checked by the caller. */
  prepare(campaign: Campaign, input: ItemInput, actor: string): NewContentItem {
    const media = input.media ?? [];
    if (media.length > MAX_ITEM_MEDIA) {
      throw new DomainError("invalid_input", `Give at most ${MAX_ITEM_MEDIA} media per item.`);
    }
    return {
      campaignId: campaign.id,
      text: normaliseItemText(input.text),
      link: input.link === undefined ? null : parseItemLink(input.link),
      media,
      tags: input.tags === undefined ? [] : parseTags(input.tags),
      evergreen: input.evergreen ?? true,
      expiresOn:
        input.expiresOn === undefined
          ? null
          : parseExpiresOn(input.expiresOn, localToday(campaign, this.deps.clock.now())),
      maxUses: input.maxUses === undefined ? null : parseMaxUses(input.maxUses),
      createdBy: actor,
    };
  }

  /**
   * Refuses a text the campaign's library has already (as the duplicate rule compares texts):
   * the second copy would only compete with the first for the same slots.
   */
  async refuseRepeat(campaignId: number, text: string, ownId?: number): Promise<void> {
    const same = await this.itemWithText(campaignId, text, ownId);
    if (same !== undefined) {
      throw new DomainError(
        "content_duplicate",
        `Item #${same.id} of this campaign has the same text already; /content edit item:${same.id} changes it.`,
      );
    }
  }

  /** The campaign's item with this text (as the duplicate rule compares texts), if any. */
  async itemWithText(
    campaignId: number,
    text: string,
    ownId?: number,
  ): Promise<ContentItem | undefined> {
    const key = normaliseForDuplicate(text);
    return (await this.deps.items.allOf(campaignId)).find(
      (other) => other.id !== ownId && normaliseForDuplicate(other.text) === key,
    );
  }

  private changesOf(campaign: Campaign, edit: ItemEdit): ContentItemChanges {
    const clears = (value: string) => value.trim().toLowerCase() === CLEAR_VALUE;
    const changes: ContentItemChanges = {};
    if (edit.text !== undefined) changes.text = normaliseItemText(edit.text);
    if (edit.link !== undefined) changes.link = clears(edit.link) ? null : parseItemLink(edit.link);
    if (edit.media !== undefined) changes.media = edit.media;
    if (edit.evergreen !== undefined) changes.evergreen = edit.evergreen;
    if (edit.tags !== undefined) changes.tags = clears(edit.tags) ? [] : parseTags(edit.tags);
    if (edit.expiresOn !== undefined) {
      changes.expiresOn = clears(edit.expiresOn)
        ? null
        : parseExpiresOn(edit.expiresOn, localToday(campaign, this.deps.clock.now()));
    }
    if (edit.maxUses !== undefined) {
      changes.maxUses = edit.maxUses === 0 ? null : parseMaxUses(edit.maxUses);
    }
    return changes;
  }
}
