import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger("info", stream) };
}

describe("logger", () => {
  it("never writes tokens, keys or X credentials, even when a whole config is logged", () => {
    const { lines, logger } = capture();
    const config = loadConfig({
      DISCORD_TOKEN: "discord-secret-token",
      DISCORD_APPLICATION_ID: "111111111111111111",
      DISCORD_GUILD_ID: "222222222222222222",
      HERALD_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
      X_API_KEY: "x-app-key",
      X_API_SECRET: "x-app-secret",
      X_ACCESS_TOKEN: "x-access-token",
      X_ACCESS_SECRET: "x-access-secret",
    });
    logger.info({ config }, "config");
    logger.info({ account: { handle: "@herald", credentials: "v1.sealed" } }, "account");
    logger.info({ accessToken: "bare-token", request: { headers: { authorization: "OAuth x" } } });

    const output = lines.join("");
    for (const secret of [
      "discord-secret-token",
      Buffer.alloc(32, 9).toString("base64"),
      "CQkJ",
      "x-app-key",
      "x-app-secret",
      "x-access-token",
      "x-access-secret",
      "v1.sealed",
      "bare-token",
      "OAuth x",
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain("[redacted]");
    expect(output).toContain("@herald");
    expect(output).toContain("222222222222222222");
  });

  it("redacts snake_case keys and the fields of logged errors, and keeps the error's message and stack", () => {
    const { lines, logger } = capture();
    class RequestFailed extends Error {
      request = { headers: { Authorization: 'OAuth oauth_token="leaked-token"' } };
      keys = { api_key: "snake-app-key", access_secret: "snake-access-secret" };
    }
    const error = new RequestFailed("X answered 503", {
      cause: Object.assign(new Error("socket hang up"), { consumer_secret: "cause-secret" }),
    });
    logger.error({ err: error, api_secret: "top-level-secret" }, "publish failed");

    const output = lines.join("");
    for (const secret of [
      "leaked-token",
      "snake-app-key",
      "snake-access-secret",
      "cause-secret",
      "top-level-secret",
    ]) {
      expect(output).not.toContain(secret);
    }
    const line = JSON.parse(output) as { err: { message: string; stack: string; type: string } };
    expect(line.err.type).toBe("RequestFailed");
    expect(line.err.message).toContain("X answered 503");
    expect(line.err.stack).toContain("logger.test.ts");
    expect(output).toContain("socket hang up");
  });
});
