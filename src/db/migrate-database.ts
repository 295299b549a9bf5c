import { dirname, join, resolve } from "node:path";
import type { Logger } from "../logger.ts";
import { postgresTarget, providerOf, sqliteFileFromUrl } from "./database-url.ts";
import { applySqliteMigrations } from "./migrate.ts";
import { applyPostgresMigrations } from "./migrate-postgres.ts";

export interface DatabaseReady {
  /** Where the data is, for logs: a file path, or host:port/database (never credentials). */
  where: string;
  applied: string[];
  /** Where media goes when HERALD_MEDIA_DIR does not say: next to the SQLite file, or ./data. */
  defaultMediaDir: string;
}

/**
 * Applies pending migrations to DATABASE_URL, on start and from `npm run db:migrate`. PostgreSQL
 * is waited for (bounded) when it is not reachable yet, as when it starts with Herald.
 */
export async function migrateDatabase(
  databaseUrl: string,
  options: { connectTimeoutMs: number; logger: Logger },
): Promise<DatabaseReady> {
  if (providerOf(databaseUrl) === "postgresql") {
    const { applied } = await applyPostgresMigrations(databaseUrl, options);
    return {
      where: postgresTarget(databaseUrl).where,
      applied,
      defaultMediaDir: resolve("data", "media"),
    };
  }
  const file = sqliteFileFromUrl(databaseUrl);
  const { applied } = applySqliteMigrations(file);
  return { where: file, applied, defaultMediaDir: join(dirname(file), "media") };
}
