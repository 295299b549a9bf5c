import { DomainError } from "./errors.ts";
import type { GuildSettings } from "./settings.ts";

export type HeraldRole = "admin" | "content_manager" | "approver";

/** Who is pressing: what Discord says about the member, nothing stored. */
export interface Actor {
  userId: string;
  roleIds: readonly string[];
  /** Discord's Manage Server permission: such members administer Herald. */
  canManageGuild: boolean;
}

/**
 * The Herald roles a member holds, from the guild's role mapping (design.md section 5). Admins
 * hold every role, so a fresh server is usable before any mapping is set.
 */
export function heraldRoles(actor: Actor, settings: GuildSettings): Set<HeraldRole> {
  if (actor.canManageGuild) return new Set(["admin", "content_manager", "approver"]);
  const roles = new Set<HeraldRole>();
  if (settings.managerRoleId !== null && actor.roleIds.includes(settings.managerRoleId)) {
    roles.add("content_manager");
  }
  if (settings.approverRoleId !== null && actor.roleIds.includes(settings.approverRoleId)) {
    roles.add("approver");
  }
  return roles;
}

const ROLE_NAMES: Record<HeraldRole, string> = {
  admin: "Manage Server permission",
  content_manager: "content manager role",
  approver: "approver role",
};

/** Refuses with a message that says which role is missing and where it is configured. */
export function requireRole(
  actor: Actor,
  settings: GuildSettings,
  role: HeraldRole,
  action: string,
): void {
  if (heraldRoles(actor, settings).has(role)) return;
  const mapped =
    role === "approver"
      ? settings.approverRoleId
      : role === "content_manager"
        ? settings.managerRoleId
        : null;
  const hint =
    role === "admin"
      ? "Ask a server admin."
      : mapped === null
        ? `No role is mapped yet; an admin sets it with /settings set ${role === "approver" ? "approver_role" : "manager_role"}.`
        : `Ask an admin for the <@&${mapped}> role.`;
  throw new DomainError("forbidden", `You need the ${ROLE_NAMES[role]} to ${action}. ${hint}`, {
    role,
  });
}
