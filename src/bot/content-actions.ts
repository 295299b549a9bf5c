import type { ButtonInteraction, ModalSubmitInteraction } from "discord.js";
import { z } from "zod";
import { MAX_ITEM_TEXT } from "../domain/content-items.ts";
import type { ItemInput } from "../domain/content-library.ts";
import { DomainError } from "../domain/errors.ts";
import { requireRole } from "../domain/roles.ts";
import { actorOf, auditActor } from "./actor.ts";
import { readContentForm } from "./content-form.ts";
import type { BotContext, Reply } from "./context.ts";
import { type ContentFormOptions, type ContentPageTarget, pageButtonId } from "./custom-ids.ts";
import { parseOptions } from "./options.ts";
import { PAGE_SIZE, pageReply, pageStart } from "./paging.ts";
import { checkSummary, itemLine } from "./render/content-message.ts";

/** Adds the item and says what its text stands for. */
export async function addAndTell(
  ctx: BotContext,
  input: ItemInput & { campaign: string },
  actor: string,
): Promise<string> {
  const { campaign, ...item } = input;
  const { item: added, check } = await ctx.content.add(ctx.guildId, campaign, item, actor);
  const owner = await ctx.campaigns.getById(added.campaignId);
  return `Added item #${added.id} to the library of ${owner.name}. ${checkSummary(check)}`;
}

const text = (max: number) => z.string().trim().min(1).max(max);
const formOptions = z.object({
  text: text(MAX_ITEM_TEXT),
  campaign: text(80),
  link: text(2048).optional(),
  tags: text(200).optional(),
  expires_on: text(10).optional(),
});

/** A submitted /content add form: the same checks and outcome as the command with `text`. */
export async function submitContentForm(
  interaction: ModalSubmitInteraction,
  options: ContentFormOptions,
  ctx: BotContext,
): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "content_manager", "add library items");
  const { expires_on, ...o } = parseOptions(formOptions, readContentForm(interaction));
  return addAndTell(
    ctx,
    {
      ...o,
      expiresOn: expires_on,
      evergreen: options.evergreen ?? undefined,
      maxUses: options.maxUses ?? undefined,
    },
    auditActor(interaction),
  );
}

/** The Import button under a preview: imports its rows, for the member who ran the import. */
export async function runContentImport(
  importId: number,
  interaction: ButtonInteraction,
  ctx: BotContext,
): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "content_manager", "import library items");
  const { campaign, imported } = await ctx.contentImports.confirm(
    ctx.guildId,
    importId,
    auditActor(interaction),
  );
  return {
    content: `Imported ${imported.toLocaleString("en-US")} ${imported === 1 ? "item" : "items"} into the library of ${campaign.name}.`,
    components: [],
  };
}

/**
 * A page of /content list, newest first, its campaign and tag in the buttons. A campaign gone
 * since the list was made is refused rather than shown empty.
 */
export async function contentPage(
  ctx: BotContext,
  query: Omit<ContentPageTarget, "list">,
): Promise<Reply> {
  const campaign = await ctx.campaigns.findById(query.campaignId);
  if (campaign === null || campaign.guildId !== ctx.guildId) {
    throw new DomainError(
      "campaign_not_found",
      "The campaign this list was for no longer exists. Run /content list again.",
    );
  }
  const filter = {
    guildId: ctx.guildId,
    campaignId: campaign.id,
    tag: query.tag ?? undefined,
  };
  const total = await ctx.content.count(filter);
  const offset = pageStart(query.offset, total);
  const items = await ctx.content.list({ ...filter, offset, limit: PAGE_SIZE });
  return pageReply({
    noun: "Library items",
    filters: [campaign.name, ...(query.tag === null ? [] : [`#${query.tag}`])],
    empty:
      query.tag === null
        ? `${campaign.name}'s library is empty. /content add or /content import fills it.`
        : `No item of ${campaign.name} has the tag #${query.tag}.`,
    total,
    offset,
    entries: items.map(itemLine),
    separator: "\n",
    idAt: (at) => pageButtonId({ list: "content", ...query, offset: at }),
  });
}
