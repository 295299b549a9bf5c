import {
  ActionRowBuilder,
  ModalBuilder,
  type ModalSubmitInteraction,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import { MAX_ITEM_TEXT } from "../domain/content-items.ts";
import { type ContentFormOptions, contentFormId } from "./custom-ids.ts";

/** The /content add form's fields, with the limits of the options they stand for. */
export const CONTENT_FORM_FIELDS = [
  {
    id: "text",
    label: "Text ({a|b} variants, {link} for the link)",
    max: MAX_ITEM_TEXT,
    style: TextInputStyle.Paragraph,
    required: true,
  },
  { id: "campaign", label: "Campaign", max: 80, style: TextInputStyle.Short, required: true },
  {
    id: "link",
    label: "Affiliate link (empty: the campaign's)",
    max: 2048,
    style: TextInputStyle.Short,
    required: false,
  },
  {
    id: "tags",
    label: "Tags, separated by commas",
    max: 200,
    style: TextInputStyle.Short,
    required: false,
  },
  {
    id: "expires_on",
    label: "Last day to use it, YYYY-MM-DD (empty: none)",
    max: 10,
    style: TextInputStyle.Short,
    required: false,
  },
] as const;

export type ContentFormField = (typeof CONTENT_FORM_FIELDS)[number]["id"];

/**
 * /content add without text: a paragraph for the text (spintax reads better over several lines),
 * the other options prefilled, and evergreen and max_uses carried in the form's id.
 */
export function contentFormModal(
  formId: string,
  given: Partial<Record<Exclude<ContentFormField, "text">, string | undefined>>,
  options: ContentFormOptions,
): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(contentFormId(formId, options))
    .setTitle("Add to the content library")
    .addComponents(
      CONTENT_FORM_FIELDS.map((field) => {
        const input = new TextInputBuilder()
          .setCustomId(field.id)
          .setLabel(field.label)
          .setStyle(field.style)
          .setRequired(field.required)
          .setMaxLength(field.max);
        const value = field.id === "text" ? undefined : given[field.id];
        if (value !== undefined && value !== "") input.setValue(value.slice(0, field.max));
        return new ActionRowBuilder<TextInputBuilder>().addComponents(input);
      }),
    );
}

/** What was submitted; an empty optional field is "not given", as an option left out. */
export function readContentForm(
  interaction: ModalSubmitInteraction,
): Record<ContentFormField, string | undefined> {
  const value = (id: ContentFormField) => {
    const text = interaction.fields.getTextInputValue(id);
    return text.trim() === "" ? undefined : text;
  };
  return {
    text: value("text"),
    campaign: value("campaign"),
    link: value("link"),
    tags: value("tags"),
    expires_on: value("expires_on"),
  };
}
