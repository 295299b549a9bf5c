import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client.ts";
import { sqliteFileFromUrl } from "./database-url.ts";

export type { PrismaClient };

/** How long a writer waits for SQLite's lock before giving up (better-sqlite3's busy timeout). */
const BUSY_TIMEOUT_MS = 5000;

export function createPrismaClient(databaseUrl: string): PrismaClient {
  const file = sqliteFileFromUrl(databaseUrl);
  const adapter = new PrismaBetterSqlite3({ url: file, timeout: BUSY_TIMEOUT_MS });
  return new PrismaClient({ adapter });
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
