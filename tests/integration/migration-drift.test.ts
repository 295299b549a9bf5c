import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { postgresqlSchema, readSqliteSchema } from "../../scripts/postgresql-schema.mjs";
import { applySqliteMigrations, MIGRATIONS_DIR, readMigrations } from "../../src/db/migrate.ts";
import { applyPostgresMigrations, POSTGRES_MIGRATIONS_DIR } from "../../src/db/migrate-postgres.ts";
import { createLogger } from "../../src/logger.ts";
import {
  createPostgresSchema,
  noticePostgresSkipped,
  type PostgresSchema,
  testPostgresUrl,
} from "../support/postgres.ts";
import { postgresShape, schemaDrift, sqliteShape } from "../support/schema-drift.ts";
import { makeTempDir } from "../support/temp-dir.ts";

const schema = readSqliteSchema();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function migratedDatabase(migrationsDir = MIGRATIONS_DIR) {
  const temp = makeTempDir();
  const file = join(temp.dir, "herald.db");
  applySqliteMigrations(file, migrationsDir);
  const db = new Database(file, { readonly: true });
  cleanups.push(() => {
    db.close();
    temp.remove();
  });
  return sqliteShape(db);
}

/**
 * A copy of a migrations folder whose first migration drops a NOT NULL, an index and a default
 * (the same SQL in both dialects); the drift check must report exactly BROKEN_PROBLEMS for it.
 */
function brokenCopy(dir: string): string {
  const temp = makeTempDir();
  cleanups.push(temp.remove);
  cpSync(dir, temp.dir, { recursive: true });
  const [first] = readMigrations(temp.dir);
  if (first === undefined) throw new Error("no migrations");
  const broken = first.sql
    .replace('"handle" TEXT NOT NULL', '"handle" TEXT')
    .replace(/CREATE INDEX "Campaign_niche_idx"[^;]*;/, "")
    .replace(
      `"reportTime" TEXT NOT NULL DEFAULT '09:00'`,
      `"reportTime" TEXT NOT NULL DEFAULT '10:00'`,
    );
  expect(broken).not.toBe(first.sql);
  writeFileSync(join(temp.dir, first.name, "migration.sql"), broken);
  return temp.dir;
}

/** What the check reports for brokenCopy; each dialect spells a text default its own way. */
function brokenProblems(textDefault: (value: string) => string): string[] {
  return [
    "XAccount.handle: nullable in the database",
    "Campaign: missing INDEX Campaign_niche_idx (niche)",
    `Settings.reportTime: default ${textDefault("10:00")}, expected ${textDefault("09:00")}`,
  ];
}

describe("migrations and schema.prisma", () => {
  it("given a fresh database, the migrations produce exactly the tables schema.prisma describes", () => {
    expect(schemaDrift(schema, migratedDatabase())).toEqual([]);
  });

  it("given a migration that drops a NOT NULL, an index and a default, the check reports each one", () => {
    const problems = schemaDrift(schema, migratedDatabase(brokenCopy(MIGRATIONS_DIR)));

    expect([...problems].sort()).toEqual(brokenProblems((value) => `'${value}'`).sort());
  });

  it("given a model field with no column, the check names it", () => {
    const extended = schema.replace("model Settings {", "model Settings {\n  nickname String?");
    expect(schemaDrift(extended, migratedDatabase())).toEqual([
      "Settings.nickname: column is missing",
    ]);
  });
});

const pgUrl = testPostgresUrl();
if (pgUrl === undefined) noticePostgresSkipped("migration-drift.test.ts");

describe.runIf(pgUrl !== undefined)(
  "PostgreSQL migrations and the schema derived from schema.prisma",
  () => {
    const pgSchema = postgresqlSchema(schema);
    const schemas: PostgresSchema[] = [];
    let migrated: PostgresSchema;
    beforeAll(async () => {
      migrated = await createPostgresSchema(pgUrl ?? "", "drift");
      schemas.push(migrated);
    });
    afterAll(async () => {
      await Promise.all(schemas.map((s) => s.drop()));
    });

    async function shapeOf(target: PostgresSchema) {
      const client = await target.client();
      return postgresShape(client, target.name);
    }

    it("given the derived schema, only the provider and the client's output folder differ from schema.prisma", () => {
      const changed = pgSchema
        .split("\n")
        .filter((line) => !line.startsWith("//") && !schema.split("\n").includes(line));
      expect(changed.map((line) => line.trim())).toEqual([
        'output       = "../../src/generated/postgresql"',
        'provider = "postgresql"',
      ]);
    });

    it("given a fresh schema, the PostgreSQL migrations produce exactly the tables schema.prisma describes", async () => {
      expect(schemaDrift(pgSchema, await shapeOf(migrated), "postgresql")).toEqual([]);
    });

    it("given a model added to schema.prisma without a PostgreSQL migration, the check names its table", async () => {
      const extended = pgSchema.replace(
        "model Settings {",
        "model Note {\n  id Int @id @default(autoincrement())\n  body String\n}\n\nmodel Settings {",
      );
      expect(schemaDrift(extended, await shapeOf(migrated), "postgresql")).toEqual([
        "model Note: table Note is missing",
      ]);
    });

    it("given a PostgreSQL migration that drops a NOT NULL, an index and a default, the check reports each one", async () => {
      const target = await createPostgresSchema(pgUrl ?? "", "drift_broken", false);
      schemas.push(target);
      await applyPostgresMigrations(target.url, {
        dir: brokenCopy(POSTGRES_MIGRATIONS_DIR),
        connectTimeoutMs: 5_000,
        logger: createLogger("silent"),
      });

      const problems = schemaDrift(pgSchema, await shapeOf(target), "postgresql");

      expect([...problems].sort()).toEqual(brokenProblems((value) => `'${value}'::text`).sort());
    });

    it("given the migrations applied twice, the second run applies nothing and records each once", async () => {
      const again = await applyPostgresMigrations(migrated.url, {
        connectTimeoutMs: 5_000,
        logger: createLogger("silent"),
      });
      expect(again.applied).toEqual([]);
      const client = await migrated.client();
      const { rows } = await client.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows).toEqual(
        readMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => ({
          migration_name: m.name,
          checksum: m.checksum,
        })),
      );
    });
  },
);
