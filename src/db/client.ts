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
