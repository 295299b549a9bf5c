import { InteractionResponseType, InteractionType } from "discord.js";
import type { InteractionKind } from "./interactions.ts";
import { isRecord } from "./message-drafts.ts";
import { lengthOf, maxLength, required } from "./message-limits.ts";
import { type FakeResponse, type FormProblem, invalidFormBody } from "./responses.ts";

export const INTERACTION_TYPE: Readonly<Record<InteractionKind, InteractionType>> = {
  command: InteractionType.ApplicationCommand,
  component: InteractionType.MessageComponent,
  autocomplete: InteractionType.ApplicationCommandAutocomplete,
  modal_submit: InteractionType.ModalSubmit,
};

const R = InteractionResponseType;

/** Which callbacks Discord accepts for each kind of interaction. */
const ALLOWED: Readonly<Record<InteractionKind, readonly number[]>> = {
  command: [R.ChannelMessageWithSource, R.DeferredChannelMessageWithSource, R.Modal],
  component: [
    R.ChannelMessageWithSource,
    R.DeferredChannelMessageWithSource,
    R.DeferredMessageUpdate,
    R.UpdateMessage,
    R.Modal,
  ],
  autocomplete: [R.ApplicationCommandAutocompleteResult],
  modal_submit: [
    R.ChannelMessageWithSource,
    R.DeferredChannelMessageWithSource,
    R.DeferredMessageUpdate,
    R.UpdateMessage,
  ],
};

/** 400 for a callback type this interaction cannot take (a modal in answer to a modal, …). */
export function refuseCallbackType(
  kind: InteractionKind,
  type: unknown,
  hasSourceMessage: boolean,
): FakeResponse | undefined {
  const updatesMessage = type === R.DeferredMessageUpdate || type === R.UpdateMessage;
  const allowed = ALLOWED[kind];
  if (typeof type === "number" && allowed.includes(type) && (!updatesMessage || hasSourceMessage)) {
    return undefined;
  }
  return invalidFormBody([
    {
      path: ["type"],
      code: "INTERACTION_RESPONSE_TYPE_INVALID",
      message: `Value must be one of {${allowed.join(", ")}}.`,
    },
  ]);
}

/** APPLICATION_COMMAND_AUTOCOMPLETE_RESULT: at most 25 choices, names 1–100 characters. */
export function refuseChoices(data: unknown): FakeResponse | undefined {
  const choices = isRecord(data) ? data.choices : undefined;
  if (!Array.isArray(choices)) return invalidFormBody([required(["data", "choices"])]);
  const problems: FormProblem[] = [];
  if (choices.length > 25) problems.push(maxLength(["data", "choices"], 25));
  choices.forEach((choice: unknown, index) => {
    const name = isRecord(choice) ? choice.name : undefined;
    const value = isRecord(choice) ? choice.value : undefined;
    if (typeof name !== "string" || lengthOf(name) < 1 || lengthOf(name) > 100) {
      problems.push({
        path: ["data", "choices", index, "name"],
        code: "BASE_TYPE_BAD_LENGTH",
        message: "Must be between 1 and 100 in length.",
      });
    }
    if (typeof value === "string" && lengthOf(value) > 100) {
      problems.push(maxLength(["data", "choices", index, "value"], 100));
    } else if (typeof value !== "string" && typeof value !== "number") {
      problems.push(required(["data", "choices", index, "value"]));
    }
  });
  return problems.length === 0 ? undefined : invalidFormBody(problems);
}

/** MODAL: a custom id, a title of at most 45 characters and one to five components. */
export function refuseModal(data: unknown): FakeResponse | undefined {
  const modal = isRecord(data) ? data : {};
  const problems: FormProblem[] = [];
  if (typeof modal.custom_id !== "string" || modal.custom_id === "") {
    problems.push(required(["data", "custom_id"]));
  } else if (lengthOf(modal.custom_id) > 100) {
    problems.push(maxLength(["data", "custom_id"], 100));
  }
  if (typeof modal.title !== "string" || modal.title === "") {
    problems.push(required(["data", "title"]));
  } else if (lengthOf(modal.title) > 45) {
    problems.push(maxLength(["data", "title"], 45));
  }
  const components = Array.isArray(modal.components) ? modal.components : [];
  if (components.length < 1 || components.length > 5) {
    problems.push({
      path: ["data", "components"],
      code: "BASE_TYPE_BAD_LENGTH",
      message: "Must be between 1 and 5 in length.",
    });
  }
  return problems.length === 0 ? undefined : invalidFormBody(problems);
}
