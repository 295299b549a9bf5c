import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors.ts";
import { heraldRoles, requireRole } from "../../src/domain/roles.ts";
import { defaultSettings } from "../../src/domain/settings.ts";

const settings = { ...defaultSettings("1"), managerRoleId: "111", approverRoleId: "222" };
const member = (roleIds: string[], canManageGuild = false) => ({
  userId: "9",
  roleIds,
  canManageGuild,
});

describe("Herald roles", () => {
  it("maps Discord roles to content manager and approver through the settings", () => {
    expect([...heraldRoles(member(["111"]), settings)]).toEqual(["content_manager"]);
    expect([...heraldRoles(member(["222"]), settings)]).toEqual(["approver"]);
    expect([...heraldRoles(member(["111", "222"]), settings)].sort()).toEqual([
      "approver",
      "content_manager",
    ]);
    expect(heraldRoles(member(["333"]), settings).size).toBe(0);
  });

  it("gives admins (Manage Server) every role, so a new server can be set up", () => {
    expect([...heraldRoles(member([], true), defaultSettings("1"))].sort()).toEqual([
      "admin",
      "approver",
      "content_manager",
    ]);
  });

  it("refuses with the missing role and where to get it", () => {
    let error: unknown;
    try {
      requireRole(member(["111"]), settings, "approver", "approve posts");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toBe(
      "You need the approver role to approve posts. Ask an admin for the <@&222> role.",
    );
  });

  it("says how to map a role when none is mapped yet", () => {
    expect(() =>
      requireRole(member([]), defaultSettings("1"), "content_manager", "queue posts"),
    ).toThrow("No role is mapped yet; an admin sets it with /settings set manager_role.");
  });
});
