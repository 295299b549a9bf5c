import { join } from "node:path";
import { createPrismaClient, type PrismaClient } from "../../src/db/client.ts";
import { applySqliteMigrations } from "../../src/db/migrate.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface TestDatabase {
  url: string;
  file: string;
  prisma: PrismaClient;
  /** Another client on the same file: a second connection, as a second caller would have. */
  connect(): PrismaClient;
  close(): Promise<void>;
}

/** A migrated SQLite file in a temp folder, removed again by close(). */
export function createTestDatabase(): TestDatabase {
  const temp = makeTempDir();
  const file = join(temp.dir, "herald.db");
  applySqliteMigrations(file);
  const url = `file:${file}`;
  const clients: PrismaClient[] = [];
  const connect = () => {
    const client = createPrismaClient(url);
    clients.push(client);
    return client;
  };
  return {
    url,
    file,
    prisma: connect(),
    connect,
    async close() {
      await Promise.all(clients.map((client) => client.$disconnect()));
      temp.remove();
    },
  };
}
