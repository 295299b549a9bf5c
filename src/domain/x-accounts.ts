import type { Campaign } from "./campaigns.ts";
import { DomainError } from "./errors.ts";
import type { TeamNotices } from "./notices.ts";
import type { XAccountRepository } from "./ports.ts";
import { DEFAULT_POSTING_BUDGET, type PostingBudget } from "./publish-budget.ts";
import type { XCredentials } from "./secrets.ts";
import type { SpendEntry } from "./x-spend.ts";

/** `invalid`: X refused its keys; `disconnected`: the team took it off Herald (/x disconnect). */
export const X_ACCOUNT_STATUSES = ["active", "invalid", "disconnected"] as const;
export type XAccountStatus = (typeof X_ACCOUNT_STATUSES)[number];

/** An X account as the domain sees it: credentials stay sealed until a publisher asks for them. */
export interface XAccount {
  id: number;
  guildId: string;
  handle: string;
  xUserId: string;
  status: XAccountStatus;
  /** Posting budgets set with /x budget; null: the environment's defaults. */
  postsPer24h: number | null;
  postsPer15Min: number | null;
  /** Owns the X developer app: metrics are read through its own timeline, at X's lower price. */
  ownsApp: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewXAccount {
  guildId: string;
  handle: string;
  xUserId: string;
  credentials: XCredentials;
}

/** "@Herald_Team" and "herald_team" are one account on X. */
export function normaliseHandle(handle: string): string {
  return handle.trim().replace(/^@/, "").toLowerCase();
}

/** Asks X who a set of credentials belongs to (GET /2/users/me), before anything is stored. */
export interface XAccountVerifier {
  verify(
    credentials: XCredentials,
  ): Promise<
    | { kind: "ok"; xUserId: string; username: string }
    | { kind: "refused"; reason: string }
    | { kind: "unreachable"; reason: string }
  >;
}

/**
 * X's own limits for POST /2/tweets per user: 200 per 15 minutes and 300 per 3 hours (so 2,400
 * per 24 hours). A budget above them would only make X refuse instead of Herald waiting.
 */
export const X_POST_CAPS = { per24h: 2400, per15Min: 200 } as const;

/** A change of an account's posting budgets; a field left out keeps its value. */
export interface XAccountBudget {
  postsPer24h?: number;
  postsPer15Min?: number;
}

/** What `/x connect` did: a new account, or one Herald knew by its X user id. */
export interface XConnection {
  account: XAccount;
  reconnected: boolean;
}

export class XAccountService {
  /** The X user id of the X_API_* account once it is verified and stored; null until then. */
  private defaultXUserId: string | null = null;

  constructor(
    private readonly deps: {
      accounts: Pick<
        XAccountRepository,
        "save" | "list" | "findById" | "disconnect" | "setBudget" | "setOwnsApp"
      >;
      verifier: XAccountVerifier;
      /** Where the user lookup X billed for the check is written (x-spend.ts). */
      spend?: { record(entries: readonly SpendEntry[]): Promise<void> };
      /** The budget of accounts without their own (HERALD_POSTS_PER_24H / _15MIN). */
      defaultBudget?: PostingBudget;
      /** Told after a connect, so posts held for a refused account go out. */
      onConnected?: () => void;
      /** What the team is told of a disconnect, written with it. */
      notices: Pick<TeamNotices, "disconnected">;
      /** Told after a disconnect, once committed, so the outbox delivers its notice. */
      onDisconnected?: () => void;
    },
  ) {}

  /** Verifies the keys with X, then stores them sealed; nothing is stored when X refuses them. */
  async connect(guildId: string, credentials: XCredentials, actor: string): Promise<XConnection> {
    const verdict = await this.deps.verifier.verify(credentials);
    if (verdict.kind === "refused") {
      throw new DomainError(
        "x_account_invalid",
        `X refused these keys (${verdict.reason}). Check the four values in the X developer portal (the access token needs read and write permission) and try again.`,
      );
    }
    if (verdict.kind === "unreachable") {
      throw new DomainError(
        "x_account_invalid",
        `X could not be reached to check the keys (${verdict.reason}). Nothing was saved; try again in a minute.`,
      );
    }
    return this.store(guildId, verdict, credentials, actor);
  }

  /**
   * Stores the X_API_* account (verified like /x connect) and remembers it as the account of
   * campaigns created without one. "unreachable" is for the caller to try again later.
   */
  async connectDefault(
    guildId: string,
    credentials: XCredentials,
  ): Promise<
    | { kind: "stored"; connection: XConnection }
    | { kind: "disconnected"; account: XAccount }
    | { kind: "refused"; reason: string }
    | { kind: "unreachable"; reason: string }
  > {
    const verdict = await this.deps.verifier.verify(credentials);
    if (verdict.kind !== "ok") return verdict;
    // The team took it off with /x disconnect: a restart must not bring it back behind their back.
    const known = (await this.deps.accounts.list(guildId)).find(
      (account) => account.xUserId === verdict.xUserId,
    );
    if (known?.status === "disconnected") return { kind: "disconnected", account: known };
    const connection = await this.store(guildId, verdict, credentials, DEFAULT_ACCOUNT_ACTOR);
    this.defaultXUserId = verdict.xUserId;
    return { kind: "stored", connection };
  }

  private async store(
    guildId: string,
    verdict: { xUserId: string; username: string },
    credentials: XCredentials,
    actor: string,
  ): Promise<XConnection> {
    const known = (await this.deps.accounts.list(guildId)).some(
      (account) => account.xUserId === verdict.xUserId,
    );
    const account = await this.deps.accounts.save(
      { guildId, handle: verdict.username, xUserId: verdict.xUserId, credentials },
      { actor, action: known ? "x_account.reconnected" : "x_account.connected" },
    );
    await this.deps.spend?.record([{ xAccountId: account.id, kind: "user_lookup", units: 1 }]);
    this.deps.onConnected?.();
    return { account, reconnected: known };
  }

  list(guildId: string): Promise<XAccount[]> {
    return this.deps.accounts.list(guildId);
  }

  /** True for the X_API_* account once stored: the account of campaigns created without one. */
  isDefault(account: XAccount): boolean {
    return account.xUserId === this.defaultXUserId;
  }

  /** The budgets the runner applies to the account, and whether the account set them itself. */
  budgetOf(account: XAccount): {
    per24h: { value: number; set: boolean };
    per15Min: { value: number; set: boolean };
  } {
    const fallback = this.deps.defaultBudget ?? DEFAULT_POSTING_BUDGET;
    return {
      per24h: {
        value: account.postsPer24h ?? fallback.per24Hours,
        set: account.postsPer24h !== null,
      },
      per15Min: {
        value: account.postsPer15Min ?? fallback.per15Minutes,
        set: account.postsPer15Min !== null,
      },
    };
  }

  /** The account a handle names in this guild; refuses with a message when there is none. */
  async byHandle(guildId: string, handle: string): Promise<XAccount> {
    const wanted = normaliseHandle(handle);
    const found = (await this.deps.accounts.list(guildId)).find(
      (account) => account.handle === wanted,
    );
    if (found === undefined || wanted === "") {
      throw new DomainError(
        "invalid_input",
        `No X account @${wanted} is connected. /x accounts lists them; /x connect adds one.`,
      );
    }
    return found;
  }

  /**
   * Whether the account owns the X developer app Herald's keys belong to: then its metrics are
   * read through its own timeline, which X bills at $0.001 a post instead of $0.005.
   */
  async setOwnsApp(
    guildId: string,
    handle: string,
    ownsApp: boolean,
    actor: string,
  ): Promise<XAccount> {
    const account = await this.pick(guildId, handle);
    if (account === null) {
      throw new DomainError("invalid_input", "No X account is connected. Use /x connect.");
    }
    return this.deps.accounts.setOwnsApp(account.id, ownsApp, {
      actor,
      action: "x_account.owns_app_set",
    });
  }

  /**
   * Takes an account off Herald: its campaigns' approved posts wait (the runner publishes only
   * for active accounts) until /x connect brings it back.
   */
  /**
   * Takes the account off Herald: its campaigns' approved posts wait until it is reconnected. The
   * team is told in the same transaction, naming those campaigns.
   */
  async disconnect(
    guildId: string,
    accountId: number,
    actor: string,
  ): Promise<{ account: XAccount; held: Campaign[] }> {
    const account = await this.deps.accounts.findById(accountId);
    if (account === null || account.guildId !== guildId) {
      throw new DomainError("invalid_input", "This X account no longer exists in Herald.");
    }
    const disconnected = await this.deps.accounts.disconnect(
      accountId,
      { actor, action: "x_account.disconnected", payload: { handle: account.handle } },
      (gone, held) => this.deps.notices.disconnected(gone, held),
    );
    if (disconnected === null) {
      throw new DomainError(
        "invalid_input",
        `@${account.handle} is already disconnected; /x connect with its keys brings it back.`,
      );
    }
    this.deps.onDisconnected?.();
    return disconnected;
  }

  /** Sets an account's own posting budgets, within X's caps; nothing given changes nothing. */
  async setBudget(
    guildId: string,
    handle: string,
    budget: XAccountBudget,
    actor: string,
  ): Promise<XAccount> {
    const account = await this.byHandle(guildId, handle);
    if (budget.postsPer24h === undefined && budget.postsPer15Min === undefined) {
      throw new DomainError("invalid_input", "Nothing to change: give per_24h, per_15min or both.");
    }
    checkBudget(budget.postsPer24h, X_POST_CAPS.per24h, "per_24h", "24 hours");
    checkBudget(budget.postsPer15Min, X_POST_CAPS.per15Min, "per_15min", "15 minutes");
    return this.deps.accounts.setBudget(account.id, budget, {
      actor,
      action: "x_account.budget",
      payload: { ...budget },
    });
  }

  /**
   * The account a new campaign posts as: the named one; else the X_API_* account once stored;
   * else the only one connected. None when nothing is connected yet (the campaign gets the
   * default account when it is stored, or one through /campaign edit).
   */
  async pick(guildId: string, handle: string | undefined): Promise<XAccount | null> {
    if (handle !== undefined && handle.trim() !== "") return this.byHandle(guildId, handle);
    const accounts = await this.deps.accounts.list(guildId);
    const byDefault = accounts.find((account) => account.xUserId === this.defaultXUserId);
    if (byDefault !== undefined) return byDefault;
    if (accounts.length > 1) {
      throw new DomainError(
        "invalid_input",
        `Several X accounts are connected (${accounts.map((a) => `@${a.handle}`).join(", ")}); say which one with the account option.`,
      );
    }
    return accounts[0] ?? null;
  }
}

/** Who stored the X_API_* account, in the audit log. */
export const DEFAULT_ACCOUNT_ACTOR = "config:X_API_*";

function checkBudget(value: number | undefined, cap: number, option: string, per: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new DomainError(
      "invalid_input",
      `${option} must be a whole number of 1 or more; to stop an account posting, use /x disconnect.`,
    );
  }
  if (value > cap) {
    throw new DomainError(
      "invalid_input",
      `${option} can be at most ${cap}: X itself refuses more than that per ${per} for one account.`,
    );
  }
}
