import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createHttpServer, type Readiness } from "../../src/http/server.ts";

const logger = pino({ level: "silent" });
const server = (readiness: Readiness) => createHttpServer({ readiness, routes: [], logger });

describe("health endpoints", () => {
  it("given a running process, /healthz answers 200 whatever the dependencies say", async () => {
    const app = server({ database: async () => false, gateway: () => false });
    const response = await app.inject({ method: "GET", url: "/healthz" });
    expect(response.statusCode).toBe(200);
  });

  it("given the database answers and the gateway is up, /readyz answers 200", async () => {
    const app = server({ database: async () => true, gateway: () => true });
    const response = await app.inject({ method: "GET", url: "/readyz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true, database: true, gateway: true });
  });

  it("given the database fails or the gateway is down, /readyz answers 503 and says which", async () => {
    const noDatabase = server({
      database: () => Promise.reject(new Error("gone")),
      gateway: () => true,
    });
    const noGateway = server({ database: async () => true, gateway: () => false });
    const first = await noDatabase.inject({ method: "GET", url: "/readyz" });
    const second = await noGateway.inject({ method: "GET", url: "/readyz" });
    expect([first.statusCode, first.json().database]).toEqual([503, false]);
    expect([second.statusCode, second.json().gateway]).toEqual([503, false]);
  });

  it("given a path nobody serves or a 10 KB path, answers 404", async () => {
    const app = server({ database: async () => true, gateway: () => true });
    expect((await app.inject({ method: "GET", url: "/nothing" })).statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: `/${"a".repeat(10_000)}` })).statusCode).toBe(
      404,
    );
  });
});
