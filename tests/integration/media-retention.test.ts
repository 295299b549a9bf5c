import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PrismaMediaRetention } from "../../src/db/media-retention-repository.ts";
import { MediaRetention } from "../../src/domain/media-retention.ts";
import type { PostStatus } from "../../src/domain/post-lifecycle.ts";
import { MediaStore } from "../../src/media/media-store.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { GUILD } from "../support/publishing-harness.ts";
import { ReportFixture } from "../support/report-fixture.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date("2026-12-02T12:00:00Z");

let db: TestDatabase;
let media: ReturnType<typeof makeTempDir>;
let fixture: ReportFixture;
let campaignId: number;

beforeEach(async () => {
  db = createTestDatabase();
  media = makeTempDir();
  fixture = new ReportFixture(db.prisma, GUILD);
  campaignId = await fixture.campaign("Desk Lamps", "home office", 0);
});

afterEach(async () => {
  await db.close();
  media.remove();
});

/** A post in `status` whose media file exists, finished `daysAgo` days before NOW. */
async function postWithMedia(
  status: PostStatus,
  daysAgo: number,
): Promise<{ id: number; file: string }> {
  const at = new Date(NOW.getTime() - daysAgo * DAY);
  const id = await fixture.post(campaignId, status, at);
  const file = join(media.dir, `${status}-${daysAgo}.png`);
  writeFileSync(file, "image");
  await db.prisma.post.update({
    where: { id },
    data: { media: JSON.stringify([file]), updatedAt: at },
  });
  return { id, file };
}

function retention() {
  return new MediaRetention({
    store: new PrismaMediaRetention(db.prisma),
    files: new MediaStore(media.dir),
    clock: new FixedClock(NOW),
    retentionDays: 7,
  });
}

describe("media retention", () => {
  it("given finished posts older than the retention period, deletes their files and forgets them; keeps the rest", async () => {
    const oldPublished = await postWithMedia("published", 8);
    const oldCancelled = await postWithMedia("cancelled", 9);
    const recentPublished = await postWithMedia("published", 6);
    const waiting = await postWithMedia("approved", 30);
    const failed = await postWithMedia("failed", 30);
    const rejected = await postWithMedia("rejected", 30);

    expect(await retention().run()).toBe(2);

    for (const gone of [oldPublished, oldCancelled]) {
      expect(existsSync(gone.file)).toBe(false);
      expect((await db.prisma.post.findUniqueOrThrow({ where: { id: gone.id } })).media).toBe("[]");
    }
    // A waiting, failed or rejected post may still be published (after a retry or an edit).
    for (const kept of [recentPublished, waiting, failed, rejected]) {
      expect(existsSync(kept.file)).toBe(true);
    }
    const audits = await db.prisma.auditEvent.findMany({ where: { action: "post.media_deleted" } });
    expect(audits.map((a) => Number(a.targetId)).sort()).toEqual(
      [oldPublished.id, oldCancelled.id].sort(),
    );
    expect(await retention().run()).toBe(0);
  });

  it("given a media list naming a file outside the media folder, or one already gone, removes nothing else and still forgets the list", async () => {
    const outsider = makeTempDir();
    try {
      const foreign = join(outsider.dir, "keep.png");
      writeFileSync(foreign, "not Herald's");
      const { id } = await postWithMedia("published", 10);
      await db.prisma.post.update({
        where: { id },
        data: { media: JSON.stringify([foreign, join(media.dir, "missing.png")]) },
      });

      expect(await retention().run()).toBe(1);

      expect(existsSync(foreign)).toBe(true);
      expect((await db.prisma.post.findUniqueOrThrow({ where: { id } })).media).toBe("[]");
    } finally {
      outsider.remove();
    }
  });
});
