import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { applySqliteMigrations, MIGRATIONS_DIR, readMigrations } from "../../src/db/migrate.ts";
import { schemaDrift } from "../support/schema-drift.ts";
import { makeTempDir } from "../support/temp-dir.ts";

const schema = readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function migratedDatabase(migrationsDir = MIGRATIONS_DIR): Database.Database {
  const temp = makeTempDir();
  const file = join(temp.dir, "herald.db");
  applySqliteMigrations(file, migrationsDir);
  const db = new Database(file, { readonly: true });
  cleanups.push(() => {
    db.close();
    temp.remove();
  });
  return db;
}

describe("migrations and schema.prisma", () => {
  it("given a fresh database, the migrations produce exactly the tables schema.prisma describes", () => {
    expect(schemaDrift(schema, migratedDatabase())).toEqual([]);
  });

  it("given a migration that drops a NOT NULL, an index and a default, the check reports each one", () => {
    const temp = makeTempDir();
    cleanups.push(temp.remove);
    cpSync(MIGRATIONS_DIR, temp.dir, { recursive: true });
    const [first] = readMigrations(temp.dir);
    if (first === undefined) throw new Error("no migrations");
    const path = join(temp.dir, first.name, "migration.sql");
    const broken = first.sql
      .replace('"displayName" TEXT NOT NULL', '"displayName" TEXT')
      .replace(/CREATE INDEX "Post_status_scheduledAt_idx"[^;]*;/, "")
      .replace(
        `"lateGraceMinutes" INTEGER NOT NULL DEFAULT 15`,
        `"lateGraceMinutes" INTEGER NOT NULL DEFAULT 10`,
      );
    expect(broken).not.toBe(first.sql);
    writeFileSync(path, broken);

    const problems = schemaDrift(schema, migratedDatabase(temp.dir));

    expect(problems).toEqual(
      expect.arrayContaining([
        "Member.displayName: nullable in the database",
        "Post: missing INDEX Post_status_scheduledAt_idx (status, scheduledAt)",
        "Settings.lateGraceMinutes: default 10, expected 15",
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it("given a model field with no column, the check names it", () => {
    const extended = schema.replace("model Member {", "model Member {\n  nickname String?");
    expect(schemaDrift(extended, migratedDatabase())).toEqual([
      "Member.nickname: column is missing",
    ]);
  });
});
