import { PermissionFlagsBits } from "discord.js";
import type { PermissionBits } from "./options.ts";

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce(
  (all, bit) => all | bit,
  0n,
);

/** What a new server gives @everyone: see, talk and use commands, but manage nothing. */
export const DEFAULT_EVERYONE_PERMISSIONS =
  PermissionFlagsBits.CreateInstantInvite |
  PermissionFlagsBits.ChangeNickname |
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.CreatePrivateThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak;

export function toBits(value: PermissionBits): bigint {
  return typeof value === "bigint" ? value : BigInt(value);
}

/** Discord's rule: Administrator (or owning the guild) means every permission. */
export function effectivePermissions(granted: bigint, isOwner: boolean): bigint {
  return isOwner || (granted & PermissionFlagsBits.Administrator) !== 0n
    ? ALL_PERMISSIONS
    : granted;
}

export function hasAll(granted: bigint, required: bigint): boolean {
  return (granted & required) === required;
}
