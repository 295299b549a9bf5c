// The Docker image runs `node dist/main.js`, compiled by tsconfig.build.json, next to prisma/ and
// with production dependencies only. No Docker engine runs here, so this builds the same way into
// a folder laid out like the image's /app and checks what could break there and nowhere else:
// a runtime import of a devDependency, and the compiled service not starting.
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { compileTypeScript } from "../support/compile.ts";
import { type FakeDiscord, startFakeDiscord } from "../support/fake-discord/server.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { spawnCompiled } from "../support/tsx-child.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Under node_modules, so the compiled files resolve packages as /app/dist does in the image. */
const APP = join(ROOT, "node_modules", ".cache", "herald-production-build");
const GUILD = "222222222222222222";

/** The file the image's CMD runs (`CMD ["node", "dist/main.js"]`), relative to /app. */
function dockerfileEntry(): string {
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(readFileSync(join(ROOT, "Dockerfile"), "utf8"))?.[1];
  const [program, file] = z.array(z.string()).parse(JSON.parse(cmd ?? "[]"));
  expect(program).toBe("node");
  return z.string().parse(file);
}

let discord: FakeDiscord;
beforeAll(async () => {
  rmSync(APP, { recursive: true, force: true });
  mkdirSync(APP, { recursive: true });
  symlinkSync(join(ROOT, "prisma"), join(APP, "prisma"));
  compileTypeScript(join(ROOT, "tsconfig.build.json"), join(APP, "dist"));
  discord = await startFakeDiscord({
    applicationId: "111111111111111111",
    botToken: "discord-test-token",
    guilds: [
      {
        id: GUILD,
        name: "Team",
        channels: [{ id: "333333333333333333", name: "general" }],
        members: [{ id: "444444444444444444", username: "owner" }],
      },
    ],
  });
}, 120_000);
afterAll(async () => {
  await discord?.close();
  rmSync(APP, { recursive: true, force: true });
});

/** Every package a compiled file imports, by name (`@scope/name` or `name`). */
function importedPackages(dir: string): Set<string> {
  const packages = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
    const source = readFileSync(join(entry.parentPath, entry.name), "utf8");
    for (const [, specifier] of source.matchAll(/(?:from|import\()\s*["']([^"'./][^"']*)["']/g)) {
      if (specifier === undefined || specifier.startsWith("node:")) continue;
      const parts = specifier.split("/");
      packages.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? ""));
    }
  }
  return packages;
}

describe("the production build", () => {
  it("imports only production dependencies and Node's own modules", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const imported = [...importedPackages(join(APP, "dist"))];
    expect(imported).toContain("discord.js");

    const missing = imported.filter(
      (name) => !(name in manifest.dependencies) && !builtinModules.includes(name),
    );
    expect(missing).toEqual([]);
  });

  it("given an empty data folder, the image's CMD migrates, says ready and stops on SIGTERM", async () => {
    const temp = makeTempDir();
    try {
      const file = join(temp.dir, "data", "herald.db");
      const main = spawnCompiled(join(APP, dockerfileEntry()), {
        cwd: temp.dir,
        env: {
          NODE_ENV: "production",
          DISCORD_TOKEN: "discord-test-token",
          DISCORD_APPLICATION_ID: "111111111111111111",
          DISCORD_GUILD_ID: GUILD,
          DISCORD_API_BASE: discord.apiBase,
          HERALD_SECRET_KEY: Buffer.alloc(32, 3).toString("base64"),
          DATABASE_URL: `file:${file}`,
          LOG_LEVEL: "info",
        },
      });
      try {
        await expect
          .poll(() => main.output().stdout, { timeout: 30_000, interval: 100 })
          .toContain('"msg":"ready"');
      } finally {
        main.child.kill("SIGTERM");
      }
      expect(await main.exited, main.output().stderr).toBe(0);

      const db = new Database(file, { readonly: true });
      const applied = db.prepare(`SELECT migration_name FROM "_prisma_migrations"`).all();
      db.close();
      const migrations = readdirSync(join(ROOT, "prisma", "migrations"), { withFileTypes: true });
      expect(applied).toHaveLength(migrations.filter((entry) => entry.isDirectory()).length);
    } finally {
      temp.remove();
    }
  }, 60_000);
});
