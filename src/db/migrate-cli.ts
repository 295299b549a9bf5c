// `npm run db:migrate`: applies pending migrations without starting the service (start does it too).
import { databaseUrlSchema } from "../config.ts";
import { readEnvironment } from "../environment.ts";
import { createLogger } from "../logger.ts";
import { migrateDatabase } from "./migrate-database.ts";

const parsed = databaseUrlSchema.safeParse(readEnvironment().DATABASE_URL);
if (!parsed.success) {
  process.stderr.write(`${parsed.error.issues.map((i) => i.message).join("\n")}\n`);
  process.exit(1);
}
try {
  const { where, applied } = await migrateDatabase(parsed.data, {
    connectTimeoutMs: 60_000,
    logger: createLogger("warn"),
  });
  process.stdout.write(
    applied.length === 0
      ? `${where} is up to date.\n`
      : `Applied to ${where}:\n${applied.map((name) => `  ${name}\n`).join("")}`,
  );
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
