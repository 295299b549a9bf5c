// prisma/schema.prisma is the one source of truth for the models. Prisma bakes the provider into
// the generated client, so PostgreSQL gets its own schema file, derived from it here (only the
// provider and the client's output folder differ) by every `npm run generate`. The file is not
// committed, so a model added to schema.prisma reaches PostgreSQL with nothing to merge; the drift
// test (tests/integration/migration-drift.test.ts) derives it the same way and fails until
// prisma/postgresql/migrations creates the model's tables.
import { readFileSync } from "node:fs";

export const SQLITE_SCHEMA = new URL("../prisma/schema.prisma", import.meta.url);
export const POSTGRESQL_SCHEMA = new URL("../prisma/postgresql/schema.prisma", import.meta.url);

const HEADER = `// GENERATED from prisma/schema.prisma by scripts/postgresql-schema.mjs on every
// \`npm run generate\` (not committed): edit prisma/schema.prisma instead. Migrations for
// PostgreSQL are written by hand in prisma/postgresql/migrations.
`;

/** The PostgreSQL schema for the SQLite schema's text; throws when its shape is not the one known. */
export function postgresqlSchema(sqliteSchema) {
  const replacements = [
    [/(datasource db \{\s*provider\s*=\s*)"sqlite"/, '$1"postgresql"'],
    [/(output\s*=\s*)"\.\.\/src\/generated\/prisma"/, '$1"../../src/generated/postgresql"'],
  ];
  let schema = sqliteSchema;
  for (const [pattern, replacement] of replacements) {
    if (!pattern.test(schema)) {
      throw new Error(
        `prisma/schema.prisma no longer matches ${pattern}; update scripts/postgresql-schema.mjs`,
      );
    }
    schema = schema.replace(pattern, replacement);
  }
  return HEADER + schema;
}

export function readSqliteSchema() {
  return readFileSync(SQLITE_SCHEMA, "utf8");
}
