import { type BackoffPolicy, backoffDelay } from "../domain/backoff.ts";
import type { Campaign } from "../domain/campaigns.ts";
import type { CampaignRepository } from "../domain/ports.ts";
import type { XCredentials } from "../domain/secrets.ts";
import {
  DEFAULT_ACCOUNT_ACTOR,
  type XAccount,
  type XAccountService,
} from "../domain/x-accounts.ts";
import type { Logger } from "../logger.ts";

export interface DefaultAccountDeps {
  guildId: string;
  /** The X_API_* values from the environment. */
  credentials: XCredentials;
  accounts: Pick<XAccountService, "connectDefault">;
  campaigns: Pick<CampaignRepository, "adoptAccount">;
  logger: Logger;
  backoff: BackoffPolicy;
  /** Told once campaigns adopted the account, so their due posts go out. */
  onAdopted?: () => void;
}

/**
 * Stores the default account of X_API_* (README: "the account of campaigns created without
 * one"), verified with X like /x connect. Start does not wait for X: an unreachable X is tried
 * again with backoff until it answers; a refusal is logged and not tried again, since the same
 * keys would be refused again. Once stored, campaigns still without an account get it.
 */
export class DefaultAccountSetup {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private attempts = 0;
  private running: Promise<void> = Promise.resolve();
  private resolveStored: (account: XAccount) => void = () => {};
  /** Resolves once the account is stored and its campaigns adopted it (never when refused). */
  readonly stored = new Promise<XAccount>((resolve) => {
    this.resolveStored = resolve;
  });
  private readonly log: Logger;

  constructor(private readonly deps: DefaultAccountDeps) {
    this.log = deps.logger.child({ component: "default-x-account" });
  }

  /** Makes the first attempt at once, without waiting for it. */
  start(): void {
    this.attempt();
  }

  /** Cancels the next attempt and waits for one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private attempt(): void {
    if (this.stopped) return;
    this.attempts += 1;
    this.log.info({ attempt: this.attempts }, "verifying the default X account (X_API_*) with X");
    this.running = this.tryOnce().catch((error: unknown) => {
      this.log.error({ err: error }, "storing the default X account failed; trying again");
      this.retryLater();
    });
  }

  private async tryOnce(): Promise<void> {
    const outcome = await this.deps.accounts.connectDefault(
      this.deps.guildId,
      this.deps.credentials,
    );
    switch (outcome.kind) {
      case "refused":
        this.log.error(
          { reason: outcome.reason },
          "X refused the default account's keys (X_API_*); fix them and restart, or use /x connect",
        );
        return;
      case "disconnected":
        this.log.warn(
          { handle: outcome.account.handle },
          "the default X account (X_API_*) was disconnected with /x disconnect; it stays disconnected until /x connect (or remove X_API_* from the environment)",
        );
        return;
      case "unreachable":
        this.log.warn({ reason: outcome.reason }, "X unreachable; the default account waits");
        this.retryLater();
        return;
      case "stored": {
        const { account } = outcome.connection;
        const adopted = await this.deps.campaigns.adoptAccount(this.deps.guildId, account.id, {
          actor: DEFAULT_ACCOUNT_ACTOR,
          action: "campaign.account_adopted",
        });
        this.log.info(
          { handle: account.handle, campaigns: adopted.map((c: Campaign) => c.id) },
          "default X account stored",
        );
        this.deps.onAdopted?.();
        this.resolveStored(account);
        return;
      }
    }
  }

  private retryLater(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempts, this.deps.backoff);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt();
    }, delay);
  }
}
