import { describe, expect, it } from "vitest";
import type { AuditNote } from "../../src/domain/audit.ts";
import { DomainError } from "../../src/domain/errors.ts";
import type { XAccountRepository } from "../../src/domain/ports.ts";
import type { XCredentials } from "../../src/domain/secrets.ts";
import {
  type NewXAccount,
  type XAccount,
  type XAccountBudget,
  XAccountService,
  type XAccountVerifier,
} from "../../src/domain/x-accounts.ts";

const GUILD = "222222222222222222";
const KEYS: XCredentials = {
  kind: "oauth1",
  appKey: "app-key",
  appSecret: "app-secret",
  accessToken: "token",
  accessSecret: "secret",
};

/** Accounts in memory, recording the audit actions they were written with. */
class MemoryAccounts
  implements
    Pick<
      XAccountRepository,
      "save" | "list" | "findById" | "disconnect" | "setBudget" | "setOwnsApp"
    >
{
  readonly rows: XAccount[] = [];
  readonly actions: string[] = [];

  async save(account: NewXAccount, audit: AuditNote): Promise<XAccount> {
    this.actions.push(audit.action);
    const known = this.rows.find((row) => row.xUserId === account.xUserId);
    if (known !== undefined) {
      Object.assign(known, { handle: account.handle, status: "active" });
      return known;
    }
    const row: XAccount = {
      id: this.rows.length + 1,
      guildId: account.guildId,
      handle: account.handle,
      xUserId: account.xUserId,
      status: "active",
      postsPer24h: null,
      postsPer15Min: null,
      ownsApp: false,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    this.rows.push(row);
    return row;
  }
  async list(guildId: string) {
    return this.rows.filter((row) => row.guildId === guildId);
  }
  async findById(id: number) {
    return this.rows.find((row) => row.id === id) ?? null;
  }
  async disconnect(id: number, audit: AuditNote) {
    const row = this.rows.find((r) => r.id === id) as XAccount;
    if (row.status === "disconnected") return null;
    this.actions.push(audit.action);
    row.status = "disconnected";
    return { account: row, held: [] };
  }
  async setBudget(id: number, budget: XAccountBudget, audit: AuditNote) {
    this.actions.push(audit.action);
    const row = this.rows.find((r) => r.id === id) as XAccount;
    Object.assign(row, budget);
    return row;
  }
  async setOwnsApp(id: number, ownsApp: boolean, audit: AuditNote) {
    this.actions.push(audit.action);
    const row = this.rows.find((r) => r.id === id) as XAccount;
    row.ownsApp = ownsApp;
    return row;
  }
}

/** X answering /2/users/me with the user the access token belongs to. */
function verifierOf(
  users: Record<string, { xUserId: string; username: string }>,
): XAccountVerifier {
  return {
    async verify(credentials) {
      const user = users[credentials.accessToken];
      return user === undefined
        ? { kind: "refused", reason: "401 Unauthorized" }
        : { kind: "ok", ...user };
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (error instanceof DomainError) return error;
  throw new Error(`expected a DomainError, got ${String(error)}`);
}

function service(users = { token: { xUserId: "1", username: "desk_deals" } }) {
  const accounts = new MemoryAccounts();
  let woken = 0;
  const xAccounts = new XAccountService({
    accounts,
    verifier: verifierOf({ ...users, other: { xUserId: "2", username: "lamp_deals" } }),
    defaultBudget: { per24Hours: 100, per15Minutes: 50 },
    notices: { disconnected: () => [] },
    onConnected: () => {
      woken += 1;
    },
  });
  return { accounts, xAccounts, woken: () => woken };
}

describe("X accounts", () => {
  it("given the same X user id again, reports a reconnect, audits it as one and wakes the runner", async () => {
    const { accounts, xAccounts, woken } = service();
    const first = await xAccounts.connect(GUILD, KEYS, "admin");
    const again = await xAccounts.connect(GUILD, KEYS, "admin");
    expect([first.reconnected, again.reconnected]).toEqual([false, true]);
    expect(accounts.actions).toEqual(["x_account.connected", "x_account.reconnected"]);
    expect(woken()).toBe(2);
  });

  it("given several accounts and a stored default account, a campaign without account gets the default", async () => {
    const { xAccounts } = service();
    await xAccounts.connect(GUILD, { ...KEYS, accessToken: "other" }, "admin");
    await xAccounts.connect(GUILD, KEYS, "admin");
    await expect(xAccounts.pick(GUILD, undefined)).rejects.toThrow(/Several X accounts/);

    const stored = await xAccounts.connectDefault(GUILD, KEYS);

    expect(stored.kind).toBe("stored");
    expect((await xAccounts.pick(GUILD, undefined))?.handle).toBe("desk_deals");
    expect((await xAccounts.pick(GUILD, "@Lamp_Deals"))?.handle).toBe("lamp_deals");
  });

  it("given default keys X refuses, stores nothing and says refused", async () => {
    const { accounts, xAccounts } = service();
    const outcome = await xAccounts.connectDefault(GUILD, { ...KEYS, accessToken: "unknown" });
    expect(outcome).toEqual({ kind: "refused", reason: "401 Unauthorized" });
    expect(accounts.rows).toEqual([]);
  });

  it("refuses budgets of zero, above X's caps, or with nothing to change, and an unknown account", async () => {
    const { accounts, xAccounts } = service();
    await xAccounts.connect(GUILD, KEYS, "admin");
    const set = (budget: XAccountBudget, handle = "desk_deals") =>
      xAccounts.setBudget(GUILD, handle, budget, "admin");
    expect((await refusal(set({}))).message).toMatch(/^Nothing to change/);
    expect((await refusal(set({ postsPer24h: 0 }))).message).toMatch(/1 or more/);
    expect((await refusal(set({ postsPer24h: 2401 }))).message).toMatch(/at most 2400/);
    expect((await refusal(set({ postsPer15Min: 201 }))).message).toMatch(/at most 200/);
    expect((await refusal(set({ postsPer24h: 1.5 }))).message).toMatch(/whole number/);
    expect((await refusal(set({ postsPer24h: 5 }, "nobody"))).message).toMatch(
      /^No X account @nobody/,
    );
    expect(accounts.actions).toEqual(["x_account.connected"]);
  });

  it("given X's caps exactly, stores them and shows which budget is set and which is the default", async () => {
    const { xAccounts } = service();
    await xAccounts.connect(GUILD, KEYS, "admin");
    const account = await xAccounts.setBudget(GUILD, "desk_deals", { postsPer24h: 2400 }, "admin");
    expect(xAccounts.budgetOf(account)).toEqual({
      per24h: { value: 2400, set: true },
      per15Min: { value: 50, set: false },
    });
  });

  it("given an account already disconnected, or of another guild, refuses to disconnect it", async () => {
    const { xAccounts } = service();
    const { account } = await xAccounts.connect(GUILD, KEYS, "admin");
    await expect(
      refusal(xAccounts.disconnect("999999999999999999", account.id, "admin")),
    ).resolves.toMatchObject({ message: "This X account no longer exists in Herald." });
    expect((await xAccounts.disconnect(GUILD, account.id, "admin")).account.status).toBe(
      "disconnected",
    );
    expect((await refusal(xAccounts.disconnect(GUILD, account.id, "admin"))).message).toMatch(
      /already disconnected/,
    );
  });
});
