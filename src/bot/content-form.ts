import { type ModalBuilder, type ModalSubmitInteraction, TextInputStyle } from "discord.js";
import { MAX_ITEM_TEXT } from "../domain/content-items.ts";
import { type ContentFormOptions, contentFormId } from "./custom-ids.ts";
import { formModal, readForm } from "./form-fields.ts";

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
  return formModal(
    contentFormId(formId, options),
    "Add to the content library",
    CONTENT_FORM_FIELDS,
    given,
  );
}

/** What was submitted; an empty optional field is "not given", as an option left out. */
export function readContentForm(
  interaction: ModalSubmitInteraction,
): Record<ContentFormField, string | undefined> {
  return readForm(interaction, CONTENT_FORM_FIELDS);
}
