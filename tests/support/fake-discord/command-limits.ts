import { ApplicationCommandOptionType, ApplicationCommandType } from "discord.js";
import { isRecord } from "./message-drafts.ts";
import { lengthOf, maxLength, required } from "./message-limits.ts";
import { type FakeResponse, type FormProblem, invalidFormBody } from "./responses.ts";

type Path = readonly (string | number)[];

/** Discord's rule for chat-input command and option names (lowercase where a case exists). */
const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_COMMANDS = 100;
const MAX_OPTIONS = 25;
const MAX_CHOICES = 25;
const NESTING_TYPES: readonly number[] = [
  ApplicationCommandOptionType.Subcommand,
  ApplicationCommandOptionType.SubcommandGroup,
];

/** The 400 Discord answers to command definitions it refuses; undefined when it accepts them. */
export function refuseCommands(definitions: unknown): FakeResponse | undefined {
  if (!Array.isArray(definitions)) {
    return invalidFormBody([{ path: [], code: "BASE_TYPE_ARRAY", message: "Must be an array." }]);
  }
  const problems: FormProblem[] = [];
  if (definitions.length > MAX_COMMANDS) problems.push(maxLength([], MAX_COMMANDS));
  definitions.forEach((definition, index) => {
    problems.push(...commandProblems([index], definition));
  });
  const keys = definitions.filter(isRecord).map((d) => `${d.type ?? 1}:${String(d.name)}`);
  if (new Set(keys).size !== keys.length) {
    problems.push({
      path: [],
      code: "APPLICATION_COMMANDS_DUPLICATE_NAME",
      message: "Application command names must be unique",
    });
  }
  return problems.length === 0 ? undefined : invalidFormBody(problems);
}

export function refuseCommand(definition: unknown): FakeResponse | undefined {
  const problems = commandProblems([], definition);
  return problems.length === 0 ? undefined : invalidFormBody(problems);
}

function commandProblems(path: Path, definition: unknown): FormProblem[] {
  if (!isRecord(definition)) {
    return [
      { path, code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType" },
    ];
  }
  const chatInput = (definition.type ?? ApplicationCommandType.ChatInput) === 1;
  return [
    ...nameProblems([...path, "name"], definition.name, chatInput),
    ...(chatInput ? descriptionProblems([...path, "description"], definition.description) : []),
    ...optionsProblems([...path, "options"], definition.options, 0),
  ];
}

function nameProblems(path: Path, name: unknown, strict: boolean): FormProblem[] {
  if (typeof name !== "string" || name === "") return [required(path)];
  if (!strict) return lengthOf(name) > 32 ? [maxLength(path, 32)] : [];
  if (!NAME.test(name) || name !== name.toLowerCase()) {
    return [
      {
        path,
        code: "APPLICATION_COMMAND_INVALID_NAME",
        message: "Command name is invalid",
      },
    ];
  }
  return [];
}

function descriptionProblems(path: Path, description: unknown): FormProblem[] {
  if (typeof description !== "string" || lengthOf(description) < 1 || lengthOf(description) > 100) {
    return [
      { path, code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 100 in length." },
    ];
  }
  return [];
}

function optionsProblems(path: Path, options: unknown, depth: number): FormProblem[] {
  if (options === undefined || options === null) return [];
  if (!Array.isArray(options)) {
    return [{ path, code: "BASE_TYPE_ARRAY", message: "Must be an array." }];
  }
  const problems: FormProblem[] = [];
  if (options.length > MAX_OPTIONS) problems.push(maxLength(path, MAX_OPTIONS));
  const records = options.filter(isRecord);
  const nesting = records.filter((option) => NESTING_TYPES.includes(Number(option.type)));
  if (nesting.length > 0 && nesting.length !== records.length) {
    problems.push({
      path,
      code: "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
      message:
        "Sub-command and sub-command group option types are mutually exclusive to all other types",
    });
  }
  const firstOptional = records.findIndex((option) => option.required !== true);
  if (firstOptional !== -1 && records.slice(firstOptional).some((o) => o.required === true)) {
    problems.push({
      path,
      code: "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
      message: "Required options must be placed before non-required options",
    });
  }
  const names = records.map((option) => option.name);
  if (new Set(names).size !== names.length) {
    problems.push({
      path,
      code: "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
      message: "Option names must be unique",
    });
  }
  options.forEach((option: unknown, index) => {
    problems.push(...optionProblems([...path, index], option, depth));
  });
  return problems;
}

function optionProblems(path: Path, option: unknown, depth: number): FormProblem[] {
  if (!isRecord(option)) {
    return [
      { path, code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType" },
    ];
  }
  const problems = [
    ...nameProblems([...path, "name"], option.name, true),
    ...descriptionProblems([...path, "description"], option.description),
  ];
  if (typeof option.type !== "number") problems.push(required([...path, "type"]));
  if (Array.isArray(option.choices) && option.choices.length > MAX_CHOICES) {
    problems.push(maxLength([...path, "choices"], MAX_CHOICES));
  }
  const nests = NESTING_TYPES.includes(Number(option.type));
  if (nests && depth >= 2) {
    problems.push({
      path: [...path, "type"],
      code: "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
      message: "Sub-commands may only be nested one level deep",
    });
  }
  if (nests) problems.push(...optionsProblems([...path, "options"], option.options, depth + 1));
  return problems;
}
