import Database from "better-sqlite3";
import type pg from "pg";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { createPrismaClient } from "../../src/db/client.ts";
import { PrismaXAccountRepository } from "../../src/db/x-account-repository.ts";
import { prepareCampaign } from "../../src/domain/campaigns.ts";
import { trackedLinkFor } from "../../src/domain/posts.ts";
import { SecretBox } from "../../src/domain/secrets.ts";
import type { FakeXAccount } from "./fake-x/store.ts";

/**
 * Setup for the crash test and the benchmarks, which need more posts than the repositories
 * create in reasonable time: the account and campaign go through the repositories (credentials
 * sealed as Herald seals them), the posts are inserted in one transaction (better-sqlite3 or
 * node-postgres).
 */
export interface SeededCampaign {
  campaignId: number;
  campaignSlug: string;
  xAccountId: number;
}

export interface SeedPost {
  text: string;
  scheduledAt: Date;
  /** An affiliate link: stored as the repository stores one, tracked with utm_content = post id. */
  link?: string | undefined;
}

const GUILD = "222222222222222222";

/** One X account acting as `account` on the fake X, and one active campaign posting with it. */
export async function seedCampaign(
  databaseUrl: string,
  secretKey: Buffer,
  account: FakeXAccount,
): Promise<SeededCampaign> {
  const prisma = createPrismaClient(databaseUrl);
  try {
    const accounts = new PrismaXAccountRepository(prisma, new SecretBox({ current: secretKey }));
    const saved = await accounts.save(
      {
        guildId: GUILD,
        handle: account.username,
        xUserId: account.userId,
        credentials: {
          kind: "oauth1",
          appKey: "app-key",
          appSecret: "app-secret",
          accessToken: account.accessToken,
          accessSecret: "access-secret",
        },
      },
      { actor: "seed", action: "x_account.connected" },
    );
    const campaign = await new PrismaCampaignRepository(prisma).create(
      prepareCampaign(
        {
          guildId: GUILD,
          name: "Desk Gadgets",
          niche: "gadgets",
          times: "09:00,15:00,21:00",
          timezone: "Europe/Berlin",
          xAccountId: saved.id,
        },
        "seed",
      ),
      { actor: "seed", action: "campaign.created" },
    );
    return { campaignId: campaign.id, campaignSlug: campaign.slug, xAccountId: saved.id };
  } finally {
    await prisma.$disconnect();
  }
}

/** Dates as Prisma's SQLite adapter writes them (ISO 8601, "+00:00"), so comparisons agree. */
export function sqliteDate(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

/** Inserts approved posts in one transaction; returns their ids in the order given. */
export function insertApprovedPosts(
  file: string,
  campaign: SeededCampaign,
  posts: readonly SeedPost[],
): number[] {
  const db = new Database(file, { timeout: 5000 });
  try {
    const now = sqliteDate(new Date());
    const insertPost = db.prepare(
      `INSERT INTO "Post" (campaignId, text, media, scheduledAt, status, createdBy, createdAt, updatedAt)
       VALUES (?, ?, '[]', ?, 'approved', 'seed', ?, ?)`,
    );
    const insertLink = db.prepare(
      `INSERT INTO "AffiliateLink" (originalUrl, utmCampaign, utmContent, trackedUrl, createdAt)
       VALUES (?, ?, ?, ?, ?)`,
    );
    const attachLink = db.prepare(`UPDATE "Post" SET affiliateLinkId = ? WHERE id = ?`);
    return db.transaction(() =>
      posts.map((post) => {
        const id = Number(
          insertPost.run(campaign.campaignId, post.text, sqliteDate(post.scheduledAt), now, now)
            .lastInsertRowid,
        );
        if (post.link !== undefined) {
          const tracked = trackedLinkFor(
            { originalUrl: post.link, utm: { campaign: campaign.campaignSlug } },
            id,
          );
          const linkId = insertLink.run(
            post.link,
            campaign.campaignSlug,
            String(id),
            tracked,
            now,
          ).lastInsertRowid;
          attachLink.run(linkId, id);
        }
        return id;
      }),
    )();
  } finally {
    db.close();
  }
}

/** insertApprovedPosts for a PostgreSQL schema, through a client whose search path is on it. */
export async function insertApprovedPostsPostgres(
  client: pg.Client,
  campaign: SeededCampaign,
  posts: readonly SeedPost[],
): Promise<number[]> {
  // Prisma keeps DateTime as UTC in "timestamp without time zone"; so does this.
  const utc = (date: Date) => date.toISOString().replace("Z", "");
  const now = utc(new Date());
  await client.query("BEGIN");
  try {
    const ids: number[] = [];
    for (const post of posts) {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO "Post" ("campaignId", text, media, "scheduledAt", status, "createdBy", "createdAt", "updatedAt")
         VALUES ($1, $2, '[]', $3, 'approved', 'seed', $4, $4) RETURNING id`,
        [campaign.campaignId, post.text, utc(post.scheduledAt), now],
      );
      const id = rows[0]?.id;
      if (id === undefined) throw new Error("INSERT returned no id");
      if (post.link !== undefined) {
        const tracked = trackedLinkFor(
          { originalUrl: post.link, utm: { campaign: campaign.campaignSlug } },
          id,
        );
        await client.query(
          `WITH link AS (
             INSERT INTO "AffiliateLink" ("originalUrl", "utmCampaign", "utmContent", "trackedUrl", "createdAt")
             VALUES ($1, $2, $3, $4, $5) RETURNING id)
           UPDATE "Post" SET "affiliateLinkId" = (SELECT id FROM link) WHERE id = $3::int`,
          [post.link, campaign.campaignSlug, String(id), tracked, now],
        );
      }
      ids.push(id);
    }
    await client.query("COMMIT");
    return ids;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}
