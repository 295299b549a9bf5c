import type pg from "pg";
import type { ClockJobLeadership } from "../domain/clock-job-ports.ts";
import type { Logger } from "../logger.ts";
import { postgresTarget } from "./database-url.ts";
import { connectPostgres } from "./postgres-connect.ts";

/** A reconnect inside a tick is a single quick try: the next tick tries again. */
const RECONNECT_TIMEOUT_MS = 2_000;

/**
 * Clock jobs run on one instance at a time (design.md section 10): the one holding a PostgreSQL
 * session advisory lock. The lock lives as long as this instance's dedicated connection, so when
 * the instance dies (or its connection does) PostgreSQL releases it and the next tick of another
 * instance takes it. The key is per schema, so deployments sharing a database do not block
 * each other.
 */
export class PostgresClockLeadership implements ClockJobLeadership {
  private client: pg.Client | null = null;
  private held = false;
  private readonly key: string;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {
    this.key = `herald.clock-jobs/${postgresTarget(databaseUrl).schema}`;
  }

  async holds(): Promise<boolean> {
    try {
      return await this.tryHold();
    } catch (error) {
      // The session may have died since the last tick (and the lock with it): one fresh try.
      this.logger.warn({ err: error }, "clock-job lock connection failed; reconnecting");
      this.drop();
    }
    try {
      return await this.tryHold();
    } catch (error) {
      this.logger.warn({ err: error }, "clock-job lock unavailable; this tick is left to others");
      this.drop();
      return false;
    }
  }

  private async tryHold(): Promise<boolean> {
    const client = await this.connection();
    if (this.held) {
      // A session lock cannot be lost while its session lives: a round trip proves the session.
      await client.query("SELECT 1");
      return true;
    }
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext($1)) AS locked",
      [this.key],
    );
    this.held = rows[0]?.locked === true;
    if (this.held) this.logger.info("this instance now runs the clock jobs");
    return this.held;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held = false;
    // Ending the session releases the lock.
    await client?.end().catch(() => {});
  }

  private async connection(): Promise<pg.Client> {
    if (this.client !== null) return this.client;
    const client = await connectPostgres(this.databaseUrl, {
      timeoutMs: RECONNECT_TIMEOUT_MS,
      logger: this.logger,
    });
    // A dropped session took the lock with it; the next holds() starts over.
    client.on("error", (error) => {
      this.logger.warn({ err: error }, "clock-job lock connection lost");
      if (this.client === client) this.drop();
    });
    this.client = client;
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = null;
    if (this.held) this.logger.warn("this instance no longer runs the clock jobs");
    this.held = false;
    client?.end().catch(() => {});
  }
}
