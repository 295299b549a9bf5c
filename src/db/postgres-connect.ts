import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { type BackoffPolicy, backoffDelay } from "../domain/backoff.ts";
import type { Logger } from "../logger.ts";
import { postgresPoolConfig } from "./client.ts";
import { postgresTarget } from "./database-url.ts";

/** From 0.5 s doubling to 5 s between tries: a database container usually needs a few seconds. */
const CONNECT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5_000 };

export class DatabaseUnreachableError extends Error {
  override readonly name = "DatabaseUnreachableError";
}

export interface ConnectOptions {
  /** Give up after this long; Herald then exits non-zero and its supervisor restarts it. */
  timeoutMs: number;
  logger: Logger;
}

/**
 * One connected node-postgres client for DATABASE_URL, tried again with backoff while the server
 * is unreachable (still starting, a network blip) for at most `timeoutMs`. The error names the
 * host, port and database (never the user or password) and what was tried.
 */
export async function connectPostgres(
  databaseUrl: string,
  options: ConnectOptions,
): Promise<pg.Client> {
  const { where } = postgresTarget(databaseUrl);
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    const client = new pg.Client(postgresPoolConfig(databaseUrl));
    try {
      await client.connect();
      return client;
    } catch (error) {
      // A failed client never connects again; its socket is already closed.
      client.removeAllListeners();
      const reason = error instanceof Error ? error.message : String(error);
      const elapsedMs = Date.now() - startedAt;
      const waitMs = Math.min(
        backoffDelay(attempt, CONNECT_BACKOFF),
        options.timeoutMs - elapsedMs,
      );
      if (waitMs <= 0) {
        throw new DatabaseUnreachableError(
          `Cannot reach PostgreSQL at ${where} (from DATABASE_URL): tried ${attempt} times over ${Math.round(elapsedMs / 1000)} s; last error: ${reason}. Check that the database is running and that DATABASE_URL's host, port and database are right.`,
        );
      }
      options.logger.warn(
        { database: where, attempt, reason, retryInMs: waitMs },
        "PostgreSQL unreachable; trying again",
      );
      await sleep(waitMs);
    }
  }
}
