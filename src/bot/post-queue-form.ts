import { type ModalBuilder, type ModalSubmitInteraction, TextInputStyle } from "discord.js";
import { queueFormId } from "./custom-ids.ts";
import { formModal, readForm } from "./form-fields.ts";

/** The queue form's fields, with the limits of the /post queue options they stand for. */
export const QUEUE_FORM_FIELDS = [
  { id: "text", label: "Post text", max: 1000, style: TextInputStyle.Paragraph, required: true },
  { id: "campaign", label: "Campaign", max: 80, style: TextInputStyle.Short, required: true },
  {
    id: "link",
    label: "Affiliate link (empty: the campaign's)",
    max: 2048,
    style: TextInputStyle.Short,
    required: false,
  },
  {
    id: "at",
    label: 'When: "now", "next" or a time (empty: now)',
    max: 40,
    style: TextInputStyle.Short,
    required: false,
  },
] as const;

export type QueueFormField = (typeof QUEUE_FORM_FIELDS)[number]["id"];

/**
 * /post queue without text: a paragraph for the text (slash-command options are one line) and
 * the other options the command was given, prefilled, so the form needs no memory of them.
 */
export function queueFormModal(
  formId: string,
  given: Partial<Record<Exclude<QueueFormField, "text">, string | undefined>>,
): ModalBuilder {
  return formModal(queueFormId(formId), "Queue a post", QUEUE_FORM_FIELDS, given);
}

/** What was submitted; an empty optional field is "not given", as an option left out. */
export function readQueueForm(
  interaction: ModalSubmitInteraction,
): Record<QueueFormField, string | undefined> {
  return readForm(interaction, QUEUE_FORM_FIELDS);
}
