import {
  ActionRowBuilder,
  ModalBuilder,
  type ModalSubmitInteraction,
  TextInputBuilder,
  type TextInputStyle,
} from "discord.js";

/** A text field of a form that stands in for a slash command, with its option's limits. */
export interface FormField {
  readonly id: string;
  readonly label: string;
  readonly max: number;
  readonly style: TextInputStyle;
  readonly required: boolean;
}

/**
 * A form with one row per field; the options the command was given are prefilled (the text never
 * is: the form exists because the command had none), so the form needs no memory of them.
 */
export function formModal<Field extends FormField>(
  customId: string,
  title: string,
  fields: readonly Field[],
  given: Partial<Record<Field["id"], string | undefined>>,
): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(customId)
    .setTitle(title)
    .addComponents(
      fields.map((field) => {
        const input = new TextInputBuilder()
          .setCustomId(field.id)
          .setLabel(field.label)
          .setStyle(field.style)
          .setRequired(field.required)
          .setMaxLength(field.max);
        const value = field.id === "text" ? undefined : given[field.id as Field["id"]];
        if (value !== undefined && value !== "") input.setValue(value.slice(0, field.max));
        return new ActionRowBuilder<TextInputBuilder>().addComponents(input);
      }),
    );
}

/** What was submitted; an empty optional field is "not given", as an option left out. */
export function readForm<Field extends FormField>(
  interaction: ModalSubmitInteraction,
  fields: readonly Field[],
): Record<Field["id"], string | undefined> {
  const values = {} as Record<Field["id"], string | undefined>;
  for (const field of fields) {
    const text = interaction.fields.getTextInputValue(field.id);
    values[field.id as Field["id"]] = text.trim() === "" ? undefined : text;
  }
  return values;
}
