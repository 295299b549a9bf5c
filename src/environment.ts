import { existsSync, readFileSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";

/** The process environment with `.env` (when present) underneath it: real variables win. */
export function readEnvironment(path = ".env"): Record<string, string | undefined> {
  const fromFile = existsSync(path) ? parseDotenv(readFileSync(path)) : {};
  return { ...fromFile, ...process.env };
}
