// docker-compose.yml cannot be run here (no Docker engine), so its contract with Herald is checked
// as data: what issue 6 asks of it, and what Herald's code and .env.example expect of it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { SHUTDOWN_DEADLINE_MS } from "../../src/main.ts";

const read = (path: string) =>
  readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), "utf8");

const composeSchema = z.object({
  services: z.object({
    postgres: z.object({
      image: z.string(),
      volumes: z.array(z.string()),
      healthcheck: z.object({ test: z.array(z.string()) }),
    }),
    herald: z.object({
      build: z.unknown(),
      restart: z.string(),
      env_file: z.union([z.string(), z.array(z.string())]),
      environment: z.record(z.string(), z.string()),
      volumes: z.array(z.string()),
      depends_on: z.object({ postgres: z.object({ condition: z.string() }) }),
      stop_grace_period: z.string(),
      ports: z.array(z.string()),
    }),
  }),
  volumes: z.record(z.string(), z.unknown()),
});

const compose = composeSchema.parse(parse(read("docker-compose.yml")));
const { postgres, herald } = compose.services;

/** Compose durations as the file writes them ("20s", "1m30s"), in ms. */
function durationMs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h)/g)) {
    total += Number(amount) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as "s"];
  }
  return total;
}

describe("docker-compose.yml", () => {
  it("keeps PostgreSQL's data in a named volume and reports healthy only when it accepts connections", () => {
    const dataVolume = postgres.volumes.find((v) => v.endsWith(":/var/lib/postgresql/data"));
    expect(dataVolume).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain(dataVolume?.split(":")[0]);
    expect(postgres.healthcheck.test.join(" ")).toContain("pg_isready");
  });

  it("starts Herald after the database is healthy, restarts it on failure and gives it longer to stop than it takes", () => {
    expect(herald.depends_on.postgres.condition).toBe("service_healthy");
    expect(["on-failure", "unless-stopped", "always"]).toContain(herald.restart.split(":")[0]);
    expect(durationMs(herald.stop_grace_period)).toBeGreaterThan(SHUTDOWN_DEADLINE_MS);
  });

  it("points Herald at the postgres service and reads the rest from .env, whose example names every required variable", () => {
    expect([herald.env_file].flat()).toContain(".env");
    const databaseUrl = herald.environment.DATABASE_URL ?? "";
    expect(databaseUrl).toMatch(/^postgresql:\/\/.+@postgres:5432\//);

    const example = read(".env.example");
    const required = [...read("docker-compose.yml").matchAll(/\$\{(\w+):\?/g)].map(
      ([, name]) => name,
    );
    expect(required.length).toBeGreaterThan(0);
    for (const name of new Set(required)) expect(example).toMatch(new RegExp(`^${name}=`, "m"));
  });

  it("shares the media folder between instances through a volume", () => {
    const mediaDir = herald.environment.HERALD_MEDIA_DIR ?? "";
    const mount = herald.volumes.find((v) => mediaDir.startsWith(v.split(":")[1] ?? "\0"));
    expect(mount).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain(mount?.split(":")[0]);
  });
});

describe("Dockerfile and the web server's port", () => {
  const dockerfile = read("Dockerfile");

  it("checks health through the web server's /healthz, with a script the image contains", () => {
    const healthcheck = dockerfile.match(/^HEALTHCHECK .*\n(?:\s+.*\n)*/m)?.[0] ?? "";
    expect(healthcheck).toContain("scripts/healthcheck.mjs");
    expect(dockerfile).toMatch(/^COPY .*scripts\/healthcheck\.mjs/m);
    expect(read("scripts/healthcheck.mjs")).toContain("/healthz");
  });

  it("publishes the container's HTTP port from a host range, so scaled instances each get one", () => {
    const containerPort = herald.environment.HERALD_HTTP_PORT;
    expect(containerPort).toBeDefined();
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${containerPort}$`, "m"));
    const published = herald.ports.find((port) => port.endsWith(`:${containerPort}`));
    expect(published).toMatch(/^\$\{\w+:-\d+-\d+\}:\d+$/);
  });
});
