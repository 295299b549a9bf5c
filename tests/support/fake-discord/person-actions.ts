import { ComponentType, MessageFlags, PermissionFlagsBits } from "discord.js";
import { type CommandData, commandData, type OptionValue } from "./command-options.ts";
import type { StoredCommand } from "./command-store.ts";
import { type FakeGuild, type MemberRecord, memberRecord } from "./guilds.ts";
import { InteractionHandle } from "./interaction-handle.ts";
import {
  type InteractionPlace,
  interactionEnvelope,
  newInteractionIdentity,
} from "./interaction-payloads.ts";
import type { InteractionKind } from "./interactions.ts";
import { isRecord } from "./message-drafts.ts";
import type { ApiMessage, StoredMessage } from "./message-store.ts";
import { modalSubmission } from "./modal-submission.ts";
import type { FakeMemberDefinition } from "./options.ts";
import { hasAll } from "./permissions.ts";
import type { FakeDiscordState } from "./state.ts";

/** Who acts: the id of a member of the guild definition, or a member described inline. */
export type Person = string | FakeMemberDefinition;

export interface RunCommandInput {
  readonly user: Person;
  /** The first guild when not given. */
  readonly guildId?: string | undefined;
  /** The guild's first text channel when not given. */
  readonly channelId?: string | undefined;
  readonly name: string;
  readonly subcommandGroup?: string | undefined;
  readonly subcommand?: string | undefined;
  readonly options?: Readonly<Record<string, OptionValue>> | undefined;
}

export interface AutocompleteInput extends RunCommandInput {
  /** The option being typed; its text so far is `options[focused]` ("" when absent). */
  readonly focused: string;
}

export interface PressButtonInput {
  readonly user: Person;
  /** The message the button is on, as returned by the fake (or its id). */
  readonly message: ApiMessage | string;
  readonly customId: string;
}

export interface SubmitModalInput {
  readonly user: Person;
  /** The custom id of a modal the bot showed this person. */
  readonly customId: string;
  /** Text input custom id → value. */
  readonly fields: Readonly<Record<string, string>>;
  /** Defaults: the message and channel of the interaction that showed the modal. */
  readonly message?: ApiMessage | string | undefined;
  readonly channelId?: string | undefined;
  /**
   * Submits a modal that was submitted already, as a double click or a retried delivery does
   * (Discord then sends a second MODAL_SUBMIT for the same form).
   */
  readonly again?: boolean | undefined;
}

/** Sends the slash command a person typed; resolves with the bot's first answer. */
export async function runCommand(
  state: FakeDiscordState,
  input: RunCommandInput,
): Promise<InteractionHandle> {
  const { place, data } = commandInteraction(state, input, undefined);
  const label = `/${[input.name, input.subcommandGroup, input.subcommand].filter(Boolean).join(" ")}`;
  return send(state, "command", label, place, null, { data });
}

/** Sends what Discord sends while a person types into an autocomplete option. */
export async function autocomplete(
  state: FakeDiscordState,
  input: AutocompleteInput,
): Promise<InteractionHandle> {
  const { place, data } = commandInteraction(state, input, input.focused);
  const label = `autocomplete /${[input.name, input.subcommandGroup, input.subcommand].filter(Boolean).join(" ")} ${input.focused}`;
  return send(state, "autocomplete", label, place, null, { data });
}

/** Presses a button on a message the bot sent. */
export async function pressButton(
  state: FakeDiscordState,
  input: PressButtonInput,
): Promise<InteractionHandle> {
  const message = storedMessage(state, input.message);
  const place = placeOf(state, input.user, message.guildId ?? undefined, message.channelId);
  const ephemeral = (message.flags & MessageFlags.Ephemeral) !== 0;
  const shownTo = isRecord(message.interactionMetadata?.user)
    ? message.interactionMetadata.user.id
    : undefined;
  if (ephemeral && shownTo !== place.member.id) {
    throw new Error(`user ${place.member.id} cannot see ephemeral message ${message.id}`);
  }
  const button = findButton(message.components, input.customId);
  if (button === undefined)
    throw new Error(`message ${message.id} has no button "${input.customId}"`);
  if (button.disabled === true) throw new Error(`button "${input.customId}" is disabled`);
  const data = {
    custom_id: input.customId,
    component_type: ComponentType.Button,
    ...(typeof button.id === "number" ? { id: button.id } : {}),
  };
  return send(state, "component", `button ${input.customId}`, place, message, {
    data,
    message: state.messages.toApi(message),
  });
}

/** Submits a modal the bot showed, with text input values. */
export async function submitModal(
  state: FakeDiscordState,
  input: SubmitModalInput,
): Promise<InteractionHandle> {
  const userId = typeof input.user === "string" ? input.user : input.user.id;
  const shown = state.interactions.shownModal(userId, input.customId, input.again === true);
  const modal = shown?.callback?.data;
  if (shown === undefined || !isRecord(modal)) {
    throw new Error(`the bot showed user ${userId} no modal "${input.customId}" to submit`);
  }
  const components = modalSubmission(modal, input.fields);
  const sourceId = input.message ?? shown.details.sourceMessageId ?? undefined;
  const message = sourceId === undefined ? null : storedMessage(state, sourceId);
  const channelId = input.channelId ?? message?.channelId ?? shown.details.channelId;
  const place = placeOf(state, input.user, shown.details.guildId ?? undefined, channelId);
  shown.modalSubmitted = true;
  return send(state, "modal_submit", `modal ${input.customId}`, place, message, {
    data: { custom_id: input.customId, components },
    ...(message === null ? {} : { message: state.messages.toApi(message) }),
  });
}

function commandInteraction(
  state: FakeDiscordState,
  input: RunCommandInput,
  focused: string | undefined,
): { place: InteractionPlace; data: CommandData } {
  const place = placeOf(state, input.user, input.guildId, input.channelId);
  const command = state.commands.chatInput(place.guild.id, input.name);
  if (command === undefined) {
    throw new Error(`/${input.name} is not registered for guild ${place.guild.id} (or globally)`);
  }
  if (!mayUse(place, command)) {
    throw new Error(
      `Discord hides /${input.name} from user ${place.member.id}: missing permissions`,
    );
  }
  const data = commandData({
    command,
    subcommandGroup: input.subcommandGroup,
    subcommand: input.subcommand,
    options: input.options ?? {},
    focused,
    guild: place.guild,
    guilds: state.guilds,
    invoker: place.member,
  });
  return { place, data };
}

/** default_member_permissions: members lacking them do not see the command ("0": admins only). */
function mayUse({ guild, member }: InteractionPlace, command: StoredCommand): boolean {
  if (command.default_member_permissions === null) return true;
  const required = BigInt(command.default_member_permissions);
  const granted = guild.permissionsOf(member);
  return required === 0n
    ? hasAll(granted, PermissionFlagsBits.Administrator)
    : hasAll(granted, required);
}

/** Registers the interaction, sends INTERACTION_CREATE and waits for the first callback. */
async function send(
  state: FakeDiscordState,
  kind: InteractionKind,
  label: string,
  place: InteractionPlace,
  source: StoredMessage | null,
  fields: Record<string, unknown>,
): Promise<InteractionHandle> {
  const sessions = state.gateway.sessionsFor(place.guild.id);
  if (sessions.length === 0) {
    throw new Error(
      `no bot is connected to the fake gateway for guild ${place.guild.id}; await fake.botReady() first`,
    );
  }
  const identity = newInteractionIdentity(state);
  const interaction = state.interactions.add({
    ...identity,
    kind,
    label,
    user: place.member,
    guildId: place.guild.id,
    channelId: place.channel.id,
    sourceMessageId: source?.id ?? null,
  });
  const payload = { ...interactionEnvelope(state, identity, kind, place), ...fields };
  // Every connected instance gets it, as Discord does; a second answer gets 40060.
  for (const session of sessions) session.dispatch("INTERACTION_CREATE", payload);
  const callback = await interaction.firstCallback();
  return new InteractionHandle(state, interaction, callback);
}

function placeOf(
  state: FakeDiscordState,
  person: Person,
  guildId: string | undefined,
  channelId: string | undefined,
): InteractionPlace {
  const guild = guildId === undefined ? state.guilds.guilds[0] : state.guilds.guild(guildId);
  if (guild === undefined) throw new Error(`the bot is in no guild ${guildId ?? ""}`);
  const channel = channelId === undefined ? guild.defaultChannel() : guild.channel(channelId);
  if (channel === undefined)
    throw new Error(`guild ${guild.id} has no channel ${channelId ?? "of type text"}`);
  return { guild, channel, member: memberOf(guild, person) };
}

function memberOf(guild: FakeGuild, person: Person): MemberRecord {
  if (typeof person !== "string") return memberRecord(person);
  const member = guild.members.get(person);
  if (member === undefined) throw new Error(`user ${person} is not a member of guild ${guild.id}`);
  return member;
}

function storedMessage(state: FakeDiscordState, message: ApiMessage | string): StoredMessage {
  const id = typeof message === "string" ? message : message.id;
  const stored = state.messages.get(id);
  if (stored === undefined) throw new Error(`the fake holds no message ${id}`);
  return stored;
}

/** The button with `customId` anywhere in the components (rows, containers, sections). */
function findButton(
  components: readonly unknown[],
  customId: string,
): Record<string, unknown> | undefined {
  for (const component of components) {
    if (!isRecord(component)) continue;
    if (component.type === ComponentType.Button && component.custom_id === customId)
      return component;
    const children = [
      ...(Array.isArray(component.components) ? component.components : []),
      ...(component.accessory === undefined ? [] : [component.accessory]),
    ];
    const found = findButton(children, customId);
    if (found !== undefined) return found;
  }
  return undefined;
}
