// `npm run db:migrate`: applies pending migrations without starting the service (start does it too).
import { databaseUrlSchema } from "../config.ts";
import { readEnvironment } from "../environment.ts";
import { sqliteFileFromUrl } from "./database-url.ts";
import { applySqliteMigrations } from "./migrate.ts";

const parsed = databaseUrlSchema.safeParse(readEnvironment().DATABASE_URL);
if (!parsed.success) {
  process.stderr.write(`${parsed.error.issues.map((i) => i.message).join("\n")}\n`);
  process.exit(1);
}
const file = sqliteFileFromUrl(parsed.data);
const { applied } = applySqliteMigrations(file);
process.stdout.write(
  applied.length === 0
    ? `${file} is up to date.\n`
    : `Applied to ${file}:\n${applied.map((name) => `  ${name}\n`).join("")}`,
);
