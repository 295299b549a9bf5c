import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient as PostgresPrismaClient } from "../generated/postgresql/client.ts";
import { PrismaClient } from "../generated/prisma/client.ts";
import {
  type DatabaseProvider,
  postgresTarget,
  providerOf,
  sqliteFileFromUrl,
} from "./database-url.ts";

export type { PrismaClient };

/** How long a writer waits for SQLite's lock before giving up (better-sqlite3's busy timeout). */
const BUSY_TIMEOUT_MS = 5000;

/** Connections per instance: the runner's 4 publishes in flight, their lease renewals, the bot. */
const POOL_SIZE = 10;

/** node-postgres settings for a PostgreSQL URL: Prisma's `?schema=` becomes the search path. */
export function postgresPoolConfig(databaseUrl: string): pg.PoolConfig {
  const target = postgresTarget(databaseUrl);
  return {
    connectionString: target.connectionString,
    // Raw SQL (the claim's row lock, migrations) names tables unqualified, as Prisma's queries
    // qualify them: both must land in the same schema.
    options: `-c search_path="${target.schema.replaceAll('"', '""')}"`,
    max: POOL_SIZE,
    connectionTimeoutMillis: 10_000,
    application_name: "herald",
  };
}

/**
 * A Prisma client for DATABASE_URL: SQLite through better-sqlite3, or PostgreSQL through
 * node-postgres. Both clients are generated from the same models (scripts/postgresql-schema.mjs
 * derives the PostgreSQL schema, the drift test holds both migrations to it), so the PostgreSQL
 * one is typed as the SQLite one: repositories are written once, against that type.
 */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  const provider = providerOf(databaseUrl);
  let client: PrismaClient;
  if (provider === "postgresql") {
    const adapter = new PrismaPg(postgresPoolConfig(databaseUrl), {
      schema: postgresTarget(databaseUrl).schema,
    });
    client = new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
  } else {
    const file = sqliteFileFromUrl(databaseUrl);
    client = new PrismaClient({
      adapter: new PrismaBetterSqlite3({ url: file, timeout: BUSY_TIMEOUT_MS }),
    });
  }
  providers.set(client, provider);
  return client;
}

const providers = new WeakMap<PrismaClient, DatabaseProvider>();

/** The database behind a client made by createPrismaClient, for the few queries that differ. */
export function providerOfClient(client: PrismaClient): DatabaseProvider {
  return providers.get(client) ?? "sqlite";
}

/**
 * SQLite's page cache, per connection: 64 MB instead of the default 2 MB, so the index pages a
 * report reads (one seek per post into a PostMetrics series of millions of rows) stay in memory
 * between reports instead of being read from the file each time.
 */
const SQLITE_CACHE_KIB = 64 * 1024;

/** Settings SQLite keeps per connection; run once after connecting. */
export async function tuneSqlite(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe(`PRAGMA cache_size = -${SQLITE_CACHE_KIB}`);
}
