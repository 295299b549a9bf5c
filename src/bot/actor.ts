import { type Interaction, PermissionFlagsBits } from "discord.js";
import { discordActor } from "../domain/audit.ts";
import type { Actor } from "../domain/roles.ts";

/** The member behind an interaction, as the domain's role checks need it. */
export function actorOf(interaction: Interaction): Actor {
  const member = interaction.member;
  const roleIds =
    member === null
      ? []
      : Array.isArray(member.roles)
        ? member.roles
        : [...member.roles.cache.keys()];
  return {
    userId: interaction.user.id,
    roleIds,
    canManageGuild: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
  };
}

/** The audit `actor` string for an interaction's user. */
export function auditActor(interaction: Interaction): string {
  return discordActor(interaction.user.id);
}
