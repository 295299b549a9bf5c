import { DomainError } from "./errors.ts";
import type { XAccountRepository } from "./ports.ts";
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

export class XAccountService {
  constructor(
    private readonly deps: {
      accounts: Pick<XAccountRepository, "save" | "list" | "setOwnsApp">;
      verifier: XAccountVerifier;
      /** Where the user lookup X billed for the check is written (x-spend.ts). */
      spend?: { record(entries: readonly SpendEntry[]): Promise<void> };
      /** Told after a connect, so posts held for a refused account go out. */
      onConnected?: () => void;
    },
  ) {}

  /** Verifies the keys with X, then stores them sealed; nothing is stored when X refuses them. */
  async connect(guildId: string, credentials: XCredentials, actor: string): Promise<XAccount> {
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
    const account = await this.deps.accounts.save(
      { guildId, handle: verdict.username, xUserId: verdict.xUserId, credentials },
      { actor, action: "x_account.connected" },
    );
    await this.deps.spend?.record([{ xAccountId: account.id, kind: "user_lookup", units: 1 }]);
    this.deps.onConnected?.();
    return account;
  }

  list(guildId: string): Promise<XAccount[]> {
    return this.deps.accounts.list(guildId);
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
   * The account a new campaign posts as: the named one, or the only one connected. None when
   * nothing is connected yet (the campaign can be given one later).
   */
  async pick(guildId: string, handle: string | undefined): Promise<XAccount | null> {
    const accounts = await this.deps.accounts.list(guildId);
    if (handle !== undefined && handle.trim() !== "") {
      const wanted = normaliseHandle(handle);
      const found = accounts.find((account) => account.handle === wanted);
      if (found === undefined) {
        throw new DomainError(
          "invalid_input",
          `No X account @${wanted} is connected. /x accounts lists them; /x connect adds one.`,
        );
      }
      return found;
    }
    if (accounts.length > 1) {
      throw new DomainError(
        "invalid_input",
        `Several X accounts are connected (${accounts.map((a) => `@${a.handle}`).join(", ")}); say which one with the account option.`,
      );
    }
    return accounts[0] ?? null;
  }
}
