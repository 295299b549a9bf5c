import { ComponentType } from "discord.js";
import { isRecord } from "./message-drafts.ts";

/**
 * The `data.components` of a MODAL_SUBMIT for the modal the bot showed, filled with `fields`
 * (text input custom id → value) in the modal's own layout: action rows or labels. Throws
 * where the Discord client would not let the person submit.
 */
export function modalSubmission(
  modal: Record<string, unknown>,
  fields: Readonly<Record<string, string>>,
): unknown[] {
  const customId = String(modal.custom_id);
  const refuse = (problem: string): never => {
    throw new Error(`Discord would not submit modal ${customId}: ${problem}`);
  };
  const inputIds: string[] = [];
  let nextId = 1;
  const idOf = (component: Record<string, unknown>) =>
    typeof component.id === "number" ? component.id : nextId++;
  const fill = (input: Record<string, unknown>) => {
    if (input.type !== ComponentType.TextInput) {
      return refuse(`the fake fills text inputs only (found component type ${String(input.type)})`);
    }
    const id = String(input.custom_id);
    inputIds.push(id);
    const value = fields[id] ?? "";
    const length = [...value].length;
    const requiredField = input.required !== false;
    if (requiredField && length === 0) refuse(`"${id}" is required`);
    const min = typeof input.min_length === "number" ? input.min_length : 0;
    const max = typeof input.max_length === "number" ? input.max_length : 4000;
    if (length > 0 && (length < min || length > max))
      refuse(`"${id}" takes ${min}–${max} characters`);
    return { type: ComponentType.TextInput, id: idOf(input), custom_id: id, value };
  };
  const components = (Array.isArray(modal.components) ? modal.components : []).filter(isRecord);
  const submitted = components.flatMap((component): unknown[] => {
    if (component.type === ComponentType.ActionRow) {
      const children = (Array.isArray(component.components) ? component.components : []).filter(
        isRecord,
      );
      return [
        { type: ComponentType.ActionRow, id: idOf(component), components: children.map(fill) },
      ];
    }
    if (component.type === ComponentType.Label && isRecord(component.component)) {
      return [
        { type: ComponentType.Label, id: idOf(component), component: fill(component.component) },
      ];
    }
    // Text displays carry nothing back.
    return [];
  });
  for (const id of Object.keys(fields)) {
    if (!inputIds.includes(id)) refuse(`it has no text input "${id}"`);
  }
  return submitted;
}
