import { randomBytes } from "node:crypto";
import pg from "pg";
import { postgresPoolConfig } from "../../src/db/client.ts";
import { applyPostgresMigrations } from "../../src/db/migrate-postgres.ts";
import { createLogger } from "../../src/logger.ts";

/**
 * The PostgreSQL that tests may use (.ci/run sets TEST_DATABASE_URL; every developer and CI
 * machine runs one on 127.0.0.1:5432). Unset on a laptop without PostgreSQL: tests that need it
 * are skipped, with one notice per file saying so.
 */
export function testPostgresUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL?.trim();
  return url === undefined || url === "" ? undefined : url;
}

export function noticePostgresSkipped(file: string): void {
  process.stderr.write(
    `NOTICE ${file}: TEST_DATABASE_URL is not set, so the PostgreSQL tests are skipped. ` +
      "Set it (e.g. postgresql://postgres@127.0.0.1:5432/test) to run them.\n",
  );
}

export interface PostgresSchema {
  /** The test database URL with `?schema=` naming this schema, as Herald's DATABASE_URL. */
  url: string;
  name: string;
  /** A plain node-postgres client on this schema, for setup and inspection. */
  client(): Promise<pg.Client>;
  drop(): Promise<void>;
}

/**
 * A schema of its own in the test database, so that test files running at the same time (and the
 * developers sharing the machine) never see each other's rows. `migrate` applies Herald's
 * PostgreSQL migrations to it.
 */
export async function createPostgresSchema(
  baseUrl: string,
  label: string,
  migrate = true,
): Promise<PostgresSchema> {
  const name = `herald_${label.replace(/\W/g, "_")}_${randomBytes(4).toString("hex")}`;
  const url = new URL(baseUrl);
  url.searchParams.set("schema", name);
  // Every connection to the schema carries its name, so a test can find (and cut) exactly its own.
  url.searchParams.set("application_name", name);
  const schemaUrl = url.toString();
  const clients: pg.Client[] = [];
  const connect = async () => {
    // Named apart from Herald's connections, which a test may cut.
    const adminUrl = new URL(schemaUrl);
    adminUrl.searchParams.set("application_name", `${name}_admin`);
    const client = new pg.Client(postgresPoolConfig(adminUrl.toString()));
    await client.connect();
    clients.push(client);
    return client;
  };
  if (migrate) {
    await applyPostgresMigrations(schemaUrl, {
      connectTimeoutMs: 5_000,
      logger: createLogger("silent"),
    });
  } else {
    const admin = await connect();
    await admin.query(`CREATE SCHEMA "${name}"`);
  }
  return {
    url: schemaUrl,
    name,
    client: connect,
    async drop() {
      await Promise.all(clients.splice(0).map((client) => client.end()));
      const admin = new pg.Client(postgresPoolConfig(baseUrl));
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Empties every table of the schema and restarts the ids, between the tests of one file. */
export async function truncateAll(client: pg.Client, schema: string): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> '_prisma_migrations'`,
    [schema],
  );
  if (rows.length === 0) return;
  await client.query(
    `TRUNCATE ${rows.map((r) => `"${r.name}"`).join(", ")} RESTART IDENTITY CASCADE`,
  );
}
