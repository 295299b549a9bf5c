import { ApplicationCommandType } from "discord.js";
import type { Snowflakes } from "./snowflakes.ts";

/** An application command option as registered (the fields the fake reads). */
export interface CommandOption {
  readonly type: number;
  readonly name: string;
  readonly description?: string;
  readonly required?: boolean;
  readonly autocomplete?: boolean;
  readonly choices?: readonly { readonly name: string; readonly value: string | number }[];
  readonly options?: readonly CommandOption[];
  readonly min_value?: number;
  readonly max_value?: number;
  readonly min_length?: number;
  readonly max_length?: number;
  readonly [field: string]: unknown;
}

/** A registered command as Discord returns it. */
export interface StoredCommand {
  readonly id: string;
  readonly application_id: string;
  readonly guild_id?: string;
  readonly version: string;
  readonly type: number;
  readonly name: string;
  readonly description: string;
  readonly options?: readonly CommandOption[];
  readonly default_member_permissions: string | null;
  readonly nsfw: boolean;
  readonly [field: string]: unknown;
}

/** One call that registered commands, kept so tests can assert what the bot registered. */
export interface CommandRegistration {
  readonly method: "PUT" | "POST";
  /** null for global commands. */
  readonly guildId: string | null;
  readonly commands: readonly StoredCommand[];
}

const GLOBAL = "global";

/** Registered commands per guild (and global), keyed by type and name as Discord keys them. */
export class CommandStore {
  readonly registrations: CommandRegistration[] = [];
  private readonly scopes = new Map<string, StoredCommand[]>();

  constructor(
    private readonly applicationId: string,
    private readonly ids: Snowflakes,
  ) {}

  /** PUT: replaces the scope's commands; a command keeps its id when its name stays. */
  overwrite(guildId: string | null, definitions: readonly Record<string, unknown>[]) {
    const previous = this.list(guildId);
    const commands = definitions.map((definition) =>
      this.stored(guildId, definition, sameCommand(previous, definition)?.id),
    );
    this.scopes.set(guildId ?? GLOBAL, commands);
    this.registrations.push({ method: "PUT", guildId, commands });
    return commands;
  }

  /** POST: creates the command, or updates the one with the same name (201 vs 200). */
  upsert(guildId: string | null, definition: Record<string, unknown>) {
    const commands = this.list(guildId);
    const existing = sameCommand(commands, definition);
    const command = this.stored(guildId, definition, existing?.id);
    this.scopes.set(guildId ?? GLOBAL, [
      ...commands.filter((candidate) => candidate !== existing),
      command,
    ]);
    this.registrations.push({ method: "POST", guildId, commands: [command] });
    return { command, created: existing === undefined };
  }

  /** DELETE: removes one command; false when the scope holds no command with that id. */
  remove(guildId: string | null, id: string): boolean {
    const commands = this.list(guildId);
    const remaining = commands.filter((command) => command.id !== id);
    this.scopes.set(guildId ?? GLOBAL, remaining);
    return remaining.length !== commands.length;
  }

  list(guildId: string | null): StoredCommand[] {
    return this.scopes.get(guildId ?? GLOBAL) ?? [];
  }

  /** The chat-input command a person in `guildId` can run by `name`: guild first, then global. */
  chatInput(guildId: string | null, name: string): StoredCommand | undefined {
    const isIt = (command: StoredCommand) =>
      command.name === name && command.type === ApplicationCommandType.ChatInput;
    return (
      (guildId === null ? undefined : this.list(guildId).find(isIt)) ?? this.list(null).find(isIt)
    );
  }

  private stored(
    guildId: string | null,
    definition: Record<string, unknown>,
    id: string | undefined,
  ): StoredCommand {
    const permissions = definition.default_member_permissions;
    return {
      ...definition,
      id: id ?? this.ids.next(),
      application_id: this.applicationId,
      ...(guildId === null ? {} : { guild_id: guildId }),
      version: this.ids.next(),
      type:
        typeof definition.type === "number" ? definition.type : ApplicationCommandType.ChatInput,
      name: String(definition.name),
      description: typeof definition.description === "string" ? definition.description : "",
      default_member_permissions:
        permissions === undefined || permissions === null ? null : String(permissions),
      nsfw: definition.nsfw === true,
      name_localizations: definition.name_localizations ?? null,
      description_localizations: definition.description_localizations ?? null,
      contexts: definition.contexts ?? null,
      integration_types: definition.integration_types ?? [0],
      ...(Array.isArray(definition.options)
        ? { options: definition.options as CommandOption[] }
        : {}),
    };
  }
}

function sameCommand(
  commands: readonly StoredCommand[],
  definition: Record<string, unknown>,
): StoredCommand | undefined {
  const type = typeof definition.type === "number" ? definition.type : 1;
  return commands.find((command) => command.name === definition.name && command.type === type);
}
