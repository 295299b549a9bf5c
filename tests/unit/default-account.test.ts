import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { XAccount, XAccountService } from "../../src/domain/x-accounts.ts";
import { createLogger } from "../../src/logger.ts";
import { DefaultAccountSetup } from "../../src/scheduler/default-account.ts";

interface LogRecord {
  level: number;
  msg: string;
  attempt?: number;
}

const ERROR = 50;

type Outcome = Awaited<ReturnType<XAccountService["connectDefault"]>>;

const ACCOUNT = { id: 4, handle: "team_deals", xUserId: "1" } as XAccount;

let setup: DefaultAccountSetup | undefined;
afterEach(async () => {
  await setup?.stop();
  vi.useRealTimers();
});

/** A setup whose X answers `outcomes` in turn, and whose log lines the test can read. */
function start(outcomes: Outcome[]) {
  vi.useFakeTimers();
  const records: LogRecord[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        if (line !== "") records.push(JSON.parse(line) as LogRecord);
      }
      done();
    },
  });
  const connectDefault = vi.fn(
    async () => outcomes.shift() ?? { kind: "unreachable", reason: "down" },
  );
  const adoptAccount = vi.fn(async () => []);
  const onAdopted = vi.fn();
  setup = new DefaultAccountSetup({
    guildId: "222222222222222222",
    credentials: {
      kind: "oauth1",
      appKey: "k",
      appSecret: "s",
      accessToken: "t",
      accessSecret: "a",
    },
    accounts: { connectDefault } as unknown as XAccountService,
    campaigns: { adoptAccount },
    logger: createLogger("debug", stream),
    backoff: { baseMs: 1_000, maxMs: 8_000 },
    onAdopted,
  });
  setup.start();
  return { setup, records, connectDefault, adoptAccount, onAdopted };
}

const stored: Outcome = {
  kind: "stored",
  connection: { account: ACCOUNT, reconnected: false },
};

describe("the default X account at start", () => {
  it("given X unreachable twice, tries again with backoff, logging each try, then stores it and hands it to campaigns", async () => {
    const { records, connectDefault, adoptAccount, onAdopted, setup } = start([
      { kind: "unreachable", reason: "503" },
      { kind: "unreachable", reason: "503" },
      stored,
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(connectDefault).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(8_000);
    await vi.advanceTimersByTimeAsync(8_000);

    await expect(setup.stored).resolves.toBe(ACCOUNT);
    expect(connectDefault).toHaveBeenCalledTimes(3);
    expect(adoptAccount).toHaveBeenCalledWith("222222222222222222", ACCOUNT.id, {
      actor: "config:X_API_*",
      action: "campaign.account_adopted",
    });
    expect(onAdopted).toHaveBeenCalledOnce();
    expect(records.filter((r) => r.attempt !== undefined).map((r) => r.attempt)).toEqual([1, 2, 3]);
  });

  it("given X refusing the keys, logs it at error level and does not try again", async () => {
    const { records, connectDefault } = start([{ kind: "refused", reason: "401 Unauthorized" }]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(connectDefault).toHaveBeenCalledOnce();
    expect(records.filter((r) => r.level === ERROR).map((r) => r.msg)).toEqual([
      expect.stringMatching(/^X refused the default account's keys/),
    ]);
  });

  it("given stop() while waiting to try again, makes no further try", async () => {
    const { connectDefault, setup } = start([{ kind: "unreachable", reason: "503" }]);
    await vi.advanceTimersByTimeAsync(0);
    await setup.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(connectDefault).toHaveBeenCalledOnce();
  });
});
