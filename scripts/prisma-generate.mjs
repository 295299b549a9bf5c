// Runs `prisma generate` offline. Prisma's CLI wants a schema engine binary even though generate
// never uses it; when the real engine could not be downloaded (no internet), any existing file
// satisfies the check, as DEVELOPERS.md explains.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const enginesDir = fileURLToPath(new URL("../node_modules/@prisma/engines", import.meta.url));
const hasRealEngine =
  existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));
const env = { ...process.env };
if (!hasRealEngine && !env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync("npx", ["prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
