import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** The table `prisma migrate deploy` keeps, created exactly as its SQLite schema engine does. */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  /** SHA-256 of migration.sql, hex: the checksum Prisma records and compares. */
  checksum: string;
}

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/**
 * The migrations still to apply, in order, given the rows of `_prisma_migrations`; refuses, as
 * `prisma migrate deploy` does, a migration that failed half-way or was edited after it ran.
 */
export function pendingMigrations(rows: AppliedRow[], migrations: Migration[]): Migration[] {
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed !== undefined) {
    throw new MigrationError(
      `Migration ${failed.migration_name} failed earlier and was never finished; fix the database by hand, then mark it rolled back.`,
    );
  }
  const applied = new Map(
    rows.filter((row) => row.rolled_back_at === null).map((r) => [r.migration_name, r]),
  );
  return migrations.filter((migration) => {
    const previous = applied.get(migration.name);
    if (previous === undefined) return true;
    if (previous.checksum !== migration.checksum) {
      throw new MigrationError(
        `Migration ${migration.name} was changed after it was applied; restore its migration.sql and add a new migration instead.`,
      );
    }
    return false;
  });
}

/**
 * Brings a SQLite file up to date the way `prisma migrate deploy` would (the schema engine it
 * needs cannot be downloaded here): each pending migration runs in its own transaction and is
 * recorded in `_prisma_migrations` with Prisma's checksum, so either tool can take over later.
 * Also switches the file to WAL, which persists in the file, so readers never block the runner.
 */
export function applySqliteMigrations(
  file: string,
  dir: string = MIGRATIONS_DIR,
): { applied: string[] } {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5000 });
  try {
    db.pragma("journal_mode = WAL");
    db.exec(MIGRATIONS_TABLE);
    const rows = db
      .prepare(
        `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
      )
      .all() as AppliedRow[];
    const newlyApplied: string[] = [];
    for (const migration of pendingMigrations(rows, readMigrations(dir))) {
      applyOne(db, migration);
      newlyApplied.push(migration.name);
    }
    return { applied: newlyApplied };
  } finally {
    db.close();
  }
}

function applyOne(db: Database.Database, migration: Migration): void {
  const id = randomUUID();
  const startedAt = new Date().toISOString();
  // SQLite changes a column only by rebuilding its table, and dropping a table that others point
  // at would run their ON DELETE actions (cascading into every row that refers to it). Prisma's
  // own SQLite migrations switch foreign keys off for the same reason; the check below refuses a
  // migration that leaves a dangling reference. (The pragma is a no-op inside a transaction.)
  db.pragma("foreign_keys = OFF");
  try {
    applyInTransaction(db, migration, id, startedAt);
  } finally {
    db.pragma("foreign_keys = ON");
  }
}

function applyInTransaction(
  db: Database.Database,
  migration: Migration,
  id: string,
  startedAt: string,
): void {
  db.transaction(() => {
    db.exec(migration.sql);
    const dangling = db.pragma("foreign_key_check") as { table: string; parent: string }[];
    if (dangling.length > 0) {
      const first = dangling[0];
      throw new MigrationError(
        `Migration ${migration.name} leaves ${dangling.length} row(s) pointing at missing rows (first: ${first?.table} → ${first?.parent})`,
      );
    }
    db.prepare(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
    ).run(id, migration.checksum, new Date().toISOString(), migration.name, startedAt);
  })();
}
