import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { PrismaPostbacks } from "../../src/db/postback-repository.ts";
import { ClickRecorder } from "../../src/http/click-recorder.ts";
import { type TestDatabase, testDatabases, testProviders } from "../support/test-database.ts";

const GUILD = "222222222222222222";
const logger = pino({ level: "silent" });

async function seedPost(db: TestDatabase): Promise<number> {
  const campaign = await db.prisma.campaign.create({
    data: {
      guildId: GUILD,
      name: "Lamps",
      slug: "lamps",
      liveSlug: "lamps",
      niche: "home",
      timezone: "UTC",
      schedule: JSON.stringify({ days: "daily", times: ["09:00"] }),
      createdBy: "test",
    },
  });
  const post = await db.prisma.post.create({
    data: {
      campaignId: campaign.id,
      text: "A lamp",
      scheduledAt: new Date(),
      status: "published",
      createdBy: "test",
    },
  });
  return post.id;
}

for (const provider of testProviders("attribution.test.ts")) {
  describe(`attribution storage on ${provider}`, () => {
    const databases = testDatabases(provider, "attribution");
    afterAll(() => databases.closeAll());

    it("given clicks queued on two instances, each is written once with its time and bot mark", async () => {
      const db = await databases.fresh();
      const postId = await seedPost(db);
      const first = new ClickRecorder(db.prisma, logger);
      const second = new ClickRecorder(db.connect(), logger);
      const at = new Date("2026-12-02T15:04:05.678Z");
      for (let i = 0; i < 300; i++) {
        (i % 2 === 0 ? first : second).record({
          postId,
          clickId: `Click${String(i).padStart(10, "0")}`,
          at,
          bot: i % 3 === 0,
          visitorHash: `visitor-${i % 7}`,
          hour: "2026-12-02T15",
        });
      }
      await Promise.all([first.drain(), second.drain()]);
      const clicks = await db.prisma.click.findMany({ orderBy: { clickId: "asc" } });
      expect(clicks).toHaveLength(300);
      expect(clicks[0]?.at.toISOString()).toBe(at.toISOString());
      expect(clicks.filter((click) => click.bot)).toHaveLength(100);
    });

    it("given the same postback sent at once through two instances (one on SQLite), one conversion is stored and the rest are repeats", async () => {
      const db = await databases.fresh();
      const postId = await seedPost(db);
      await db.prisma.click.create({
        data: {
          postId,
          clickId: "ClickAAAAAAAAAA",
          at: new Date(),
          bot: false,
          visitorHash: "v",
          hour: "h",
        },
      });
      // SQLite has one instance (it owns the file); PostgreSQL two, each with its own pool.
      const instances = [
        new PrismaPostbacks(db.prisma),
        new PrismaPostbacks(provider === "sqlite" ? db.prisma : db.connect()),
      ];
      const report = {
        clickId: "ClickAAAAAAAAAA",
        txid: "T1",
        payout: 9.5,
        status: "approved" as const,
        currency: "USD",
      };
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) => instances[i % 2]?.record(GUILD, report)),
      );
      expect(outcomes.filter((outcome) => outcome === "stored")).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === "repeat")).toHaveLength(5);
      expect(await db.prisma.conversion.count()).toBe(1);
      expect(await db.prisma.auditEvent.count({ where: { targetType: "conversion" } })).toBe(1);
      expect(await instances[0]?.record(GUILD, { ...report, clickId: "NoSuchClick0000" })).toBe(
        "unknown_click",
      );
    });
  });
}
