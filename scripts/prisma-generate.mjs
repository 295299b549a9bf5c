// Runs `prisma generate` offline, for SQLite (prisma/schema.prisma) and for PostgreSQL (a schema
// derived from it, see postgresql-schema.mjs). Prisma's CLI wants a schema engine binary even
// though generate never uses it; when the real engine could not be downloaded (no internet), any
// existing file satisfies the check, as DEVELOPERS.md explains.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { POSTGRESQL_SCHEMA, postgresqlSchema, readSqliteSchema } from "./postgresql-schema.mjs";

const enginesDir = fileURLToPath(new URL("../node_modules/@prisma/engines", import.meta.url));
const hasRealEngine =
  existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));
const env = { ...process.env };
if (!hasRealEngine && !env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}

const pgSchemaFile = fileURLToPath(POSTGRESQL_SCHEMA);
mkdirSync(dirname(pgSchemaFile), { recursive: true });
writeFileSync(pgSchemaFile, postgresqlSchema(readSqliteSchema()));

for (const schema of ["prisma/schema.prisma", "prisma/postgresql/schema.prisma"]) {
  const result = spawnSync("npx", ["prisma", "generate", "--schema", schema], {
    stdio: "inherit",
    env,
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
