import { ApplicationCommandOptionType as T } from "discord.js";
import { apiChannel, apiInteractionMember, apiRole, apiUser } from "./api-shapes.ts";
import type { AttachmentRef } from "./attachment-cdn.ts";
import type { CommandOption, StoredCommand } from "./command-store.ts";
import type { FakeGuild, GuildDirectory, MemberRecord } from "./guilds.ts";

/** A value a person gives an option: text, a number, a yes/no, an id (user, channel, role) or a file. */
export type OptionValue = string | number | boolean | AttachmentRef;

export interface CommandInput {
  readonly command: StoredCommand;
  readonly subcommandGroup?: string | undefined;
  readonly subcommand?: string | undefined;
  readonly options: Readonly<Record<string, OptionValue>>;
  /** For autocomplete: the option being typed; its value is sent as the text typed so far. */
  readonly focused?: string | undefined;
  readonly guild: FakeGuild | undefined;
  readonly guilds: GuildDirectory;
  /** The person running the command: resolved channels carry their permissions. */
  readonly invoker: MemberRecord;
}

/** The `data` of an APPLICATION_COMMAND or AUTOCOMPLETE interaction. */
export interface CommandData {
  readonly id: string;
  readonly name: string;
  readonly type: number;
  readonly guild_id?: string;
  readonly options: readonly unknown[];
  readonly resolved?: Readonly<Record<string, Record<string, unknown>>>;
}

/**
 * Builds what Discord sends when a person runs `command` with `options`, refusing (throwing)
 * whatever the Discord client would not let them send: unknown options or subcommands,
 * missing required options, wrong types, values outside choices, lengths or ranges.
 */
export function commandData(input: CommandInput): CommandData {
  const { command } = input;
  const where = `/${[command.name, input.subcommandGroup, input.subcommand].filter(Boolean).join(" ")}`;
  const refuse = (problem: string): never => {
    throw new Error(`Discord would not send ${where}: ${problem}`);
  };
  let level = command.options ?? [];
  const path: { type: number; name: string }[] = [];
  for (const [type, name] of [
    [T.SubcommandGroup, input.subcommandGroup],
    [T.Subcommand, input.subcommand],
  ] as const) {
    if (name === undefined) continue;
    const found = level.find((option) => option.type === type && option.name === name);
    if (found === undefined) return refuse(`it has no ${T[type]} "${name}"`);
    path.push({ type, name });
    level = found.options ?? [];
  }
  const nested = level.filter((o) => o.type === T.Subcommand || o.type === T.SubcommandGroup);
  if (nested.length > 0) refuse(`choose one of ${nested.map((o) => o.name).join(", ")}`);
  const resolved: Record<string, Record<string, unknown>> = {};
  const leaf = leafOptions(input, level, resolved, refuse);
  let options: readonly unknown[] = leaf;
  for (const step of path.reverse()) options = [{ ...step, options }];
  return {
    id: command.id,
    name: command.name,
    type: command.type,
    ...(command.guild_id === undefined ? {} : { guild_id: command.guild_id }),
    options,
    ...(Object.keys(resolved).length === 0 ? {} : { resolved }),
  };
}

function leafOptions(
  input: CommandInput,
  definitions: readonly CommandOption[],
  resolved: Record<string, Record<string, unknown>>,
  refuse: (problem: string) => never,
): unknown[] {
  for (const name of Object.keys(input.options)) {
    if (!definitions.some((definition) => definition.name === name)) {
      refuse(`it has no option "${name}"`);
    }
  }
  if (input.focused !== undefined) {
    const focused = definitions.find((definition) => definition.name === input.focused);
    if (focused?.autocomplete !== true) refuse(`option "${input.focused}" has no autocomplete`);
  }
  const sent: unknown[] = [];
  for (const definition of definitions) {
    const value = input.options[definition.name];
    if (definition.name === input.focused) {
      sent.push({
        name: definition.name,
        type: definition.type,
        value: value === undefined ? "" : String(value),
        focused: true,
      });
      continue;
    }
    if (value === undefined) {
      if (definition.required === true && input.focused === undefined) {
        refuse(`required option "${definition.name}" is missing`);
      }
      continue;
    }
    const checked = checkValue(definition, value, refuse);
    if (RESOLVED_TYPES.has(definition.type)) resolve(input, definition, checked, resolved, refuse);
    sent.push({ name: definition.name, type: definition.type, value: checked });
  }
  return sent;
}

/** The option's value as Discord sends it, after the checks the Discord client makes. */
function checkValue(
  definition: CommandOption,
  value: OptionValue,
  refuse: (problem: string) => never,
): string | number | boolean {
  const name = `option "${definition.name}"`;
  switch (definition.type) {
    case T.String: {
      if (typeof value !== "string") return refuse(`${name} takes text`);
      const length = [...value].length;
      if (length < (definition.min_length ?? 0) || length > (definition.max_length ?? 6000)) {
        refuse(
          `${name} takes ${definition.min_length ?? 0}–${definition.max_length ?? 6000} characters`,
        );
      }
      return checkChoice(definition, value, refuse);
    }
    case T.Integer:
    case T.Number: {
      if (
        typeof value !== "number" ||
        (definition.type === T.Integer && !Number.isInteger(value))
      ) {
        return refuse(`${name} takes ${definition.type === T.Integer ? "an integer" : "a number"}`);
      }
      if (
        value < (definition.min_value ?? -Infinity) ||
        value > (definition.max_value ?? Infinity)
      ) {
        refuse(`${name} takes ${definition.min_value ?? "-∞"}–${definition.max_value ?? "∞"}`);
      }
      return checkChoice(definition, value, refuse);
    }
    case T.Boolean:
      return typeof value === "boolean" ? value : refuse(`${name} takes true or false`);
    case T.Attachment:
      return typeof value === "object" ? value.id : refuse(`${name} takes a file (addAttachment)`);
    case T.User:
    case T.Channel:
    case T.Role:
    case T.Mentionable:
      return typeof value === "string" ? value : refuse(`${name} takes an id`);
    default:
      return refuse(`${name} has a type (${definition.type}) the fake cannot fill`);
  }
}

function checkChoice<V extends string | number>(
  definition: CommandOption,
  value: V,
  refuse: (problem: string) => never,
): V {
  const choices = definition.choices;
  if (choices !== undefined && choices.length > 0 && !choices.some((c) => c.value === value)) {
    refuse(`option "${definition.name}" takes one of ${choices.map((c) => c.value).join(", ")}`);
  }
  return value;
}

/** Option types whose values Discord also describes in the interaction's `resolved`. */
const RESOLVED_TYPES: ReadonlySet<number> = new Set([
  T.User,
  T.Channel,
  T.Role,
  T.Mentionable,
  T.Attachment,
]);

/** Fills `resolved` for user, channel, role, mentionable and attachment options. */
function resolve(
  input: CommandInput,
  definition: CommandOption,
  value: string | number | boolean,
  resolved: Record<string, Record<string, unknown>>,
  refuse: (problem: string) => never,
): void {
  const add = (kind: string, id: string, entry: unknown) => {
    resolved[kind] ??= {};
    (resolved[kind] as Record<string, unknown>)[id] = entry;
  };
  const id = String(value);
  const { guild } = input;
  const original = input.options[definition.name];
  if (definition.type === T.Attachment && typeof original === "object") {
    add("attachments", id, original);
    return;
  }
  const member = guild?.members.get(id) ?? input.guilds.user(id);
  const role = guild?.role(id);
  const channel = guild?.channel(id);
  const wantsUser = definition.type === T.User || definition.type === T.Mentionable;
  const wantsRole = definition.type === T.Role || definition.type === T.Mentionable;
  if (wantsUser && member !== undefined) {
    add("users", id, apiUser(member));
    if (guild?.members.has(id)) {
      const { user: _user, ...withoutUser } = apiInteractionMember(guild, member);
      add("members", id, withoutUser);
    }
  } else if (wantsRole && role !== undefined) {
    add("roles", id, apiRole(role));
  } else if (definition.type === T.Channel && channel !== undefined && guild !== undefined) {
    const { id: _id, ...rest } = apiChannel(guild, channel);
    add("channels", id, {
      id,
      ...rest,
      permissions: guild.permissionsOf(input.invoker).toString(),
    });
  } else {
    refuse(`option "${definition.name}" names ${id}, which is not in the guild`);
  }
}
