import { AttachmentBuilder, type ChatInputCommandInteraction } from "discord.js";
import { z } from "zod";
import { MAX_IMPORT_BYTES } from "../../domain/content-csv.ts";
import { MAX_ITEM_TEXT, MAX_USES_LIMIT, parseTagFilter } from "../../domain/content-items.ts";
import { DomainError } from "../../domain/errors.ts";
import { requireRole } from "../../domain/roles.ts";
import { actorOf, auditActor } from "../actor.ts";
import { attachmentOf, attachmentSchema, downloadAttachment, withMedia } from "../attachments.ts";
import { addAndTell, contentPage } from "../content-actions.ts";
import { contentFormModal } from "../content-form.ts";
import type { BotContext, Command, Reply } from "../context.ts";
import { given, parseOptions } from "../options.ts";
import { checkSummary, importPreviewReply, itemDetails } from "../render/content-message.ts";
import { libraryCsv } from "../render/library-csv.ts";
import { campaignChoices, itemChoices } from "./autocomplete.ts";
import { contentCommandData, MAX_ITEM_ID } from "./content-definition.ts";

const text = (max: number) => z.string().trim().min(1).max(max);
const itemId = z.number().int().min(1).max(MAX_ITEM_ID);
const itemValues = {
  text: text(MAX_ITEM_TEXT).optional(),
  link: text(2048).optional(),
  media: attachmentSchema.optional(),
  evergreen: z.boolean().optional(),
  tags: text(200).optional(),
  expires_on: text(10).optional(),
};
const addOptions = z.object({
  campaign: text(80),
  ...itemValues,
  max_uses: z.number().int().min(1).max(MAX_USES_LIMIT).optional(),
});
const editOptions = z.object({
  item: itemId,
  ...itemValues,
  max_uses: z.number().int().min(0).max(MAX_USES_LIMIT).optional(),
});
const listOptions = z.object({ campaign: text(80), tag: text(30).optional() });
const itemOnly = z.object({ item: itemId });
const importOptions = z.object({ campaign: text(80), file: attachmentSchema });
const campaignOnly = z.object({ campaign: text(80) });

function itemInput(interaction: ChatInputCommandInteraction) {
  return {
    text: given(interaction.options.getString("text")),
    link: given(interaction.options.getString("link")),
    media: attachmentOf(interaction, "media"),
    evergreen: given(interaction.options.getBoolean("evergreen")),
    tags: given(interaction.options.getString("tags")),
    expires_on: given(interaction.options.getString("expires_on")),
    max_uses: given(interaction.options.getInteger("max_uses")),
  };
}

async function edit(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<Reply> {
  const o = parseOptions(editOptions, {
    item: interaction.options.getInteger("item"),
    ...itemInput(interaction),
  });
  const { item: itemId, media: file, expires_on, max_uses, ...rest } = o;
  const before = await ctx.content.itemInGuild(ctx.guildId, itemId);
  const { item, check } = await withMedia(ctx, file, (media) =>
    ctx.content.edit(
      ctx.guildId,
      itemId,
      { ...rest, media, expiresOn: expires_on, maxUses: max_uses },
      auditActor(interaction),
    ),
  );
  // The replaced files belong to no item any more.
  if (file !== undefined) for (const path of before.item.media) await ctx.media.remove(path);
  return `Changed item #${item.id} of ${before.campaign.name}. ${checkSummary(check)}`;
}

export const contentCommand: Command = {
  data: contentCommandData.toJSON(),

  async modal(interaction, ctx) {
    const opensForm =
      interaction.options.getSubcommand() === "add" &&
      interaction.options.getString("text") === null &&
      interaction.options.getAttachment("media") === null;
    if (!opensForm) return null;
    requireRole(
      actorOf(interaction),
      await ctx.settings.get(ctx.guildId),
      "content_manager",
      "add library items",
    );
    return contentFormModal(
      interaction.id,
      {
        campaign: interaction.options.getString("campaign") ?? undefined,
        link: interaction.options.getString("link") ?? undefined,
        tags: interaction.options.getString("tags") ?? undefined,
        expires_on: interaction.options.getString("expires_on") ?? undefined,
      },
      {
        evergreen: interaction.options.getBoolean("evergreen"),
        maxUses: interaction.options.getInteger("max_uses"),
      },
    );
  },

  async execute(interaction, ctx) {
    const sub = interaction.options.getSubcommand();
    const actor = actorOf(interaction);
    const settings = await ctx.settings.get(ctx.guildId);
    const write = (action: string) => requireRole(actor, settings, "content_manager", action);
    switch (sub) {
      case "add": {
        write("add library items");
        const o = parseOptions(addOptions, {
          campaign: interaction.options.getString("campaign"),
          ...itemInput(interaction),
        });
        if (o.text === undefined) {
          throw new DomainError(
            "invalid_input",
            "An item with media needs the text option too (the text form cannot take an attachment).",
          );
        }
        const { text: itemText, media: file, expires_on, max_uses, ...rest } = o;
        return withMedia(ctx, file, (media) =>
          addAndTell(
            ctx,
            { ...rest, text: itemText, media, expiresOn: expires_on, maxUses: max_uses },
            auditActor(interaction),
          ),
        );
      }
      case "list": {
        const o = parseOptions(listOptions, {
          campaign: interaction.options.getString("campaign"),
          tag: given(interaction.options.getString("tag")),
        });
        const campaign = await ctx.campaigns.get(ctx.guildId, o.campaign);
        const tag = o.tag === undefined ? null : parseTagFilter(o.tag);
        return contentPage(ctx, { campaignId: campaign.id, tag, offset: 0 });
      }
      case "show": {
        const o = parseOptions(itemOnly, { item: interaction.options.getInteger("item") });
        return { content: itemDetails(await ctx.content.describe(ctx.guildId, o.item)) };
      }
      case "edit":
        write("edit library items");
        return edit(interaction, ctx);
      case "remove": {
        write("remove library items");
        const o = parseOptions(itemOnly, { item: interaction.options.getInteger("item") });
        const { campaign } = await ctx.content.itemInGuild(ctx.guildId, o.item);
        const removed = await ctx.content.remove(ctx.guildId, o.item, auditActor(interaction));
        for (const path of removed.media) await ctx.media.remove(path);
        return `Removed item #${removed.id} from the library of ${campaign.name}. Posts made from it keep their text.`;
      }
      case "import": {
        write("import library items");
        const o = parseOptions(importOptions, {
          campaign: interaction.options.getString("campaign"),
          file: attachmentOf(interaction, "file"),
        });
        const bytes = await downloadAttachment(o.file, MAX_IMPORT_BYTES);
        const preview = await ctx.contentImports.preview(
          ctx.guildId,
          o.campaign,
          { name: o.file.filename, bytes },
          auditActor(interaction),
        );
        return importPreviewReply(preview);
      }
      case "export": {
        write("export libraries");
        const o = parseOptions(campaignOnly, {
          campaign: interaction.options.getString("campaign"),
        });
        const { campaign, items, performance } = await ctx.contentImports.export(
          ctx.guildId,
          o.campaign,
        );
        const csv = libraryCsv(items, performance);
        return {
          content: `The library of ${campaign.name}: ${items.length} ${items.length === 1 ? "item" : "items"}, with uses, last use, impressions, clicks and CTR per item.`,
          files: [
            new AttachmentBuilder(Buffer.from(csv, "utf8"), {
              name: `${campaign.slug}-library.csv`,
            }),
          ],
        };
      }
      default:
        return `Unknown subcommand ${sub}.`;
    }
  },

  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused(true);
    const sub = interaction.options.getSubcommand();
    if (focused.name === "campaign") {
      // Archived campaigns keep their library: it can be listed and exported, not changed.
      const liveOnly = sub === "add" || sub === "import";
      await interaction.respond(await campaignChoices(ctx, String(focused.value), { liveOnly }));
    } else {
      await interaction.respond(await itemChoices(ctx, String(focused.value)));
    }
  },
};
