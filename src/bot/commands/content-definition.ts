import { SlashCommandBuilder, type SlashCommandSubcommandBuilder } from "discord.js";
import { MAX_ITEM_TEXT, MAX_USES_LIMIT } from "../../domain/content-items.ts";

/** Item ids are the database's 32-bit integers: a larger number names no item. */
export const MAX_ITEM_ID = 2 ** 31 - 1;

/** The item options add and edit share; edit's say how to clear a value. */
function itemFields(sub: SlashCommandSubcommandBuilder, forAdd: boolean) {
  return sub
    .addStringOption((o) =>
      o
        .setName("text")
        .setDescription(
          forAdd
            ? "Text: {a|b} for variants, {link} for the link (leave out for a form)"
            : "The new text ({a|b} for variants, {link} for the link)",
        )
        .setMaxLength(MAX_ITEM_TEXT),
    )
    .addStringOption((o) =>
      o
        .setName("link")
        .setDescription(
          forAdd ? "Affiliate link (default: the campaign's)" : '"none": the campaign\'s link',
        )
        .setMaxLength(2048),
    )
    .addAttachmentOption((o) => o.setName("media").setDescription("An image or video"))
    .addBooleanOption((o) =>
      o.setName("evergreen").setDescription("Recycle it (default) or use it once"),
    )
    .addStringOption((o) =>
      o
        .setName("tags")
        .setDescription(
          forAdd ? "Tags, separated by commas" : 'Tags, comma separated ("none" clears)',
        )
        .setMaxLength(200),
    )
    .addStringOption((o) =>
      o
        .setName("expires_on")
        .setDescription(
          forAdd ? "Last day to use it, YYYY-MM-DD" : 'Last day, YYYY-MM-DD ("none" clears)',
        )
        .setMaxLength(10),
    )
    .addIntegerOption((o) =>
      o
        .setName("max_uses")
        .setDescription(
          forAdd ? "Use it at most this many times" : "At most this many uses (0: no maximum)",
        )
        .setMinValue(forAdd ? 1 : 0)
        .setMaxValue(MAX_USES_LIMIT),
    );
}

const campaignOption = (sub: SlashCommandSubcommandBuilder) =>
  sub.addStringOption((o) =>
    o
      .setName("campaign")
      .setDescription("Campaign")
      .setRequired(true)
      .setAutocomplete(true)
      .setMaxLength(80),
  );
const itemOption = (sub: SlashCommandSubcommandBuilder) =>
  sub.addIntegerOption((o) =>
    o
      .setName("item")
      .setDescription("Library item")
      .setRequired(true)
      .setAutocomplete(true)
      .setMinValue(1)
      .setMaxValue(MAX_ITEM_ID),
  );

/** /content and its subcommands (design.md section 5). */
export const contentCommandData = new SlashCommandBuilder()
  .setName("content")
  .setDescription("The campaigns' content libraries")
  .addSubcommand((sub) =>
    itemFields(
      campaignOption(sub.setName("add").setDescription("Add a text to a campaign's library")),
      true,
    ),
  )
  .addSubcommand((sub) =>
    campaignOption(sub.setName("list").setDescription("List a campaign's library")).addStringOption(
      (o) => o.setName("tag").setDescription("Only items with this tag").setMaxLength(30),
    ),
  )
  .addSubcommand((sub) => itemOption(sub.setName("show").setDescription("Show a library item")))
  .addSubcommand((sub) =>
    itemFields(itemOption(sub.setName("edit").setDescription("Change a library item")), false),
  )
  .addSubcommand((sub) => itemOption(sub.setName("remove").setDescription("Remove a library item")))
  .addSubcommand((sub) =>
    campaignOption(
      sub.setName("import").setDescription("Add many items from a CSV file (a preview first)"),
    ).addAttachmentOption((o) =>
      o
        .setName("file")
        .setDescription("CSV: text,link,media_url,evergreen,tags,expires_on,max_uses")
        .setRequired(true),
    ),
  )
  .addSubcommand((sub) =>
    campaignOption(sub.setName("export").setDescription("Download a campaign's library as CSV")),
  );
