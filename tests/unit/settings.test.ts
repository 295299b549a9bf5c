import { describe, expect, it } from "vitest";
import type { AuditNote } from "../../src/domain/audit.ts";
import { isDomainError } from "../../src/domain/errors.ts";
import {
  defaultSettings,
  type GuildSettings,
  type SettingsChanges,
  type SettingsRepository,
  SettingsService,
} from "../../src/domain/settings.ts";

const GUILD = "200000000000000001";

/** Settings kept in memory, with every saved change and its audit note. */
class MemorySettings implements SettingsRepository {
  current: GuildSettings = {
    ...defaultSettings(GUILD),
    approvalChannelId: "300000000000000002",
    lateGraceMinutes: 30,
  };
  readonly saved: { changes: SettingsChanges; audit: AuditNote }[] = [];

  async get(): Promise<GuildSettings> {
    return { ...this.current };
  }

  async update(_guildId: string, changes: SettingsChanges, audit: AuditNote) {
    this.current = { ...this.current, ...changes };
    this.saved.push({ changes, audit });
    return { ...this.current };
  }
}

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (isDomainError(error, "invalid_input")) return error.message;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("SettingsService", () => {
  it("given a grace window and the second-approver switch, saves both with one audit note", async () => {
    const repository = new MemorySettings();
    const service = new SettingsService(repository);
    const saved = await service.update(
      GUILD,
      { lateGraceMinutes: 0, requireSecondApprover: true },
      "discord:1",
    );
    expect(saved).toMatchObject({ lateGraceMinutes: 0, requireSecondApprover: true });
    expect(repository.saved).toEqual([
      {
        changes: { lateGraceMinutes: 0, requireSecondApprover: true },
        audit: {
          actor: "discord:1",
          action: "settings.updated",
          payload: { changes: { lateGraceMinutes: 0, requireSecondApprover: true } },
        },
      },
    ]);
  });

  it("given clear, unsets that setting (the grace window back to the environment's)", async () => {
    const repository = new MemorySettings();
    const service = new SettingsService(repository);
    expect(await service.update(GUILD, { clear: "lateGraceMinutes" }, "discord:1")).toMatchObject({
      lateGraceMinutes: null,
      approvalChannelId: "300000000000000002",
    });
    expect(
      await service.update(GUILD, { clear: "approvalChannelId", timezone: "Europe/Berlin" }, "x"),
    ).toMatchObject({ approvalChannelId: null, timezone: "Europe/Berlin" });
  });

  it("given a grace window outside 0 to 1440 whole minutes, refuses it and saves nothing", async () => {
    const repository = new MemorySettings();
    const service = new SettingsService(repository);
    for (const minutes of [-1, 1441, 2.5, Number.NaN]) {
      expect(
        await refusal(service.update(GUILD, { lateGraceMinutes: minutes }, "discord:1")),
      ).toContain("whole number of minutes from 0 to 1440");
    }
    expect(repository.saved).toEqual([]);
  });

  it("given a currency in any case, saves its ISO 4217 code; given a made-up or malformed code, refuses and saves nothing", async () => {
    const repository = new MemorySettings();
    const service = new SettingsService(repository);
    expect(repository.current.currency).toBe("USD");
    expect(await service.update(GUILD, { currency: " eur " }, "discord:1")).toMatchObject({
      currency: "EUR",
    });
    expect(await refusal(service.update(GUILD, { currency: "ABC" }, "discord:1"))).toBe(
      '"ABC" is not an ISO 4217 currency code (ISO 4217, e.g. USD, EUR, GBP).',
    );
    for (const code of ["EURO", "E1", "$"]) {
      expect(await refusal(service.update(GUILD, { currency: code }, "discord:1"))).toContain(
        "is three letters",
      );
    }
    expect(repository.saved.map((s) => s.changes)).toEqual([{ currency: "EUR" }]);
  });

  it("given the same setting set and cleared at once, refuses and saves nothing", async () => {
    const repository = new MemorySettings();
    const service = new SettingsService(repository);
    const message = await refusal(
      service.update(
        GUILD,
        { approvalChannelId: "300000000000000003", clear: "approvalChannelId" },
        "discord:1",
      ),
    );
    expect(message).toContain("cannot be set and cleared in one command");
    expect(repository.saved).toEqual([]);
  });
});
