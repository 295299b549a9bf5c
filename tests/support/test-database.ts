import { readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { createPrismaClient, type PrismaClient } from "../../src/db/client.ts";
import type { DatabaseProvider } from "../../src/db/database-url.ts";
import { applySqliteMigrations } from "../../src/db/migrate.ts";
import {
  createPostgresSchema,
  noticePostgresSkipped,
  testPostgresUrl,
  truncateAll,
} from "./postgres.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface TestDatabase {
  provider: DatabaseProvider;
  url: string;
  prisma: PrismaClient;
  /** Another client on the same database: a second connection, as a second caller would have. */
  connect(): PrismaClient;
  /** Everything the database holds on disk (SQLite) or in its rows (PostgreSQL), as text. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

/** A migrated SQLite file in a temp folder, removed again by close(). */
export function createTestDatabase(): TestDatabase {
  const temp = makeTempDir();
  const file = join(temp.dir, "herald.db");
  applySqliteMigrations(file);
  const url = `file:${file}`;
  const { connect, disconnectAll } = clientsOf(url);
  return {
    provider: "sqlite",
    url,
    prisma: connect(),
    connect,
    async dump() {
      await disconnectAll();
      return readFileSync(file).toString("latin1") + readIfThere(`${file}-wal`);
    },
    async close() {
      await disconnectAll();
      temp.remove();
    },
  };
}

/**
 * The providers a parametrised test file runs on: SQLite always, PostgreSQL when
 * TEST_DATABASE_URL is set (a notice says when it is not).
 */
export function testProviders(file: string): DatabaseProvider[] {
  if (testPostgresUrl() !== undefined) return ["sqlite", "postgresql"];
  noticePostgresSkipped(file);
  return ["sqlite"];
}

/**
 * Fresh databases for the tests of one file on `provider`. SQLite: a new file per test.
 * PostgreSQL: one migrated schema for the file (created by the first `fresh()`), emptied before
 * each later test; `closeAll()` drops it.
 */
export function testDatabases(provider: DatabaseProvider, label: string) {
  let schema: Awaited<ReturnType<typeof createPostgresSchema>> | undefined;
  let admin: pg.Client | undefined;
  let current: TestDatabase | undefined;
  return {
    async fresh(): Promise<TestDatabase> {
      await current?.close();
      if (provider === "sqlite") {
        current = createTestDatabase();
        return current;
      }
      const base = testPostgresUrl();
      if (base === undefined) throw new Error("TEST_DATABASE_URL is not set");
      if (schema === undefined) {
        schema = await createPostgresSchema(base, label);
        admin = await schema.client();
      } else if (admin !== undefined) {
        await truncateAll(admin, schema.name);
      }
      const { connect, disconnectAll } = clientsOf(schema.url);
      const inspector = admin;
      const name = schema.name;
      current = {
        provider,
        url: schema.url,
        prisma: connect(),
        connect,
        async dump() {
          if (inspector === undefined) return "";
          const { rows } = await inspector.query<{ name: string }>(
            `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1`,
            [name],
          );
          let text = "";
          for (const row of rows) {
            const all = await inspector.query(`SELECT t::text AS row FROM "${row.name}" t`);
            text += all.rows.map((r: { row: string }) => r.row).join("\n");
          }
          return text;
        },
        close: disconnectAll,
      };
      return current;
    },
    /** A plain client on the PostgreSQL schema (after the first fresh()), outside Herald's pool. */
    async admin(): Promise<pg.Client> {
      if (admin === undefined) throw new Error("no PostgreSQL schema yet: call fresh() first");
      return admin;
    },
    async closeAll(): Promise<void> {
      await current?.close();
      current = undefined;
      await schema?.drop();
      schema = undefined;
    },
  };
}

function clientsOf(url: string) {
  const clients: PrismaClient[] = [];
  return {
    connect() {
      const client = createPrismaClient(url);
      clients.push(client);
      return client;
    },
    async disconnectAll() {
      await Promise.all(clients.map((client) => client.$disconnect()));
    },
  };
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file).toString("latin1");
  } catch {
    return "";
  }
}
