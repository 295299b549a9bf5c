import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Logger } from "../logger.ts";
import { postgresTarget } from "./database-url.ts";
import { type AppliedRow, pendingMigrations, readMigrations } from "./migrate.ts";
import { connectPostgres } from "./postgres-connect.ts";

export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(
  new URL("../../prisma/postgresql/migrations", import.meta.url),
);

/** The table `prisma migrate deploy` keeps, created exactly as its PostgreSQL schema engine does. */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/**
 * The advisory lock key Prisma's schema engine takes around `migrate deploy`: instances starting
 * together (and Prisma's CLI, if it is ever used) apply migrations one at a time.
 */
const PRISMA_MIGRATE_LOCK = 72707369;

export interface PostgresMigrateOptions {
  dir?: string;
  /** How long to keep trying an unreachable server before giving up. */
  connectTimeoutMs: number;
  logger: Logger;
}

/**
 * Brings a PostgreSQL schema up to date the way `prisma migrate deploy` would: each pending
 * migration in its own transaction, recorded in `_prisma_migrations` with Prisma's checksum.
 * The schema named by `?schema=` is created first when missing.
 */
export async function applyPostgresMigrations(
  databaseUrl: string,
  options: PostgresMigrateOptions,
): Promise<{ applied: string[] }> {
  const client = await connectPostgres(databaseUrl, {
    timeoutMs: options.connectTimeoutMs,
    logger: options.logger,
  });
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    const { schema } = postgresTarget(databaseUrl);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '""')}"`);
    await client.query(MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const applied: string[] = [];
    for (const migration of pendingMigrations(
      rows,
      readMigrations(options.dir ?? POSTGRES_MIGRATIONS_DIR),
    )) {
      const startedAt = new Date();
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
          [randomUUID(), migration.checksum, migration.name, startedAt],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      applied.push(migration.name);
    }
    return { applied };
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end();
  }
}
