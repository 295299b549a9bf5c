-- Settings: the grace window is unset (the environment's value) until a team sets it; a second
-- approver can be required.
ALTER TABLE "Settings" DROP COLUMN "lateGraceMinutes";
ALTER TABLE "Settings" ADD COLUMN "lateGraceMinutes" INTEGER;
ALTER TABLE "Settings" ADD COLUMN "requireSecondApprover" BOOLEAN NOT NULL DEFAULT false;

-- Roles come from Discord on every interaction; members were never stored.
DROP TABLE "Member";

-- X accounts are known by X's user id: a handle can change, the id cannot. Budgets left unset
-- follow the environment.
DROP INDEX "XAccount_guildId_handle_key";
CREATE UNIQUE INDEX "XAccount_guildId_xUserId_key" ON "XAccount"("guildId", "xUserId");
ALTER TABLE "XAccount" DROP COLUMN "dailyPostBudget";
ALTER TABLE "XAccount" ADD COLUMN "postsPer24h" INTEGER;
ALTER TABLE "XAccount" ADD COLUMN "postsPer15Min" INTEGER;

-- Campaign names are unique among live campaigns only, through the slug (so case-insensitively);
-- archiving a campaign frees its name.
DROP INDEX "Campaign_guildId_name_key";
DROP INDEX "Campaign_guildId_slug_key";
ALTER TABLE "Campaign" ADD COLUMN "liveSlug" TEXT;
UPDATE "Campaign" SET "liveSlug" = "slug" WHERE "status" <> 'archived';
CREATE UNIQUE INDEX "Campaign_guildId_liveSlug_key" ON "Campaign"("guildId", "liveSlug");
CREATE INDEX "Campaign_guildId_slug_idx" ON "Campaign"("guildId", "slug");

-- Posts: no draft state (a queued post waits for approval at once); who last edited a post.
-- SQLite changes a column default only by rebuilding the table.
CREATE TABLE "new_Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "media" TEXT NOT NULL DEFAULT '[]',
    "affiliateLinkId" INTEGER,
    "scheduledAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending_approval',
    "approvalBy" TEXT,
    "approvalAt" DATETIME,
    "approvalDecision" TEXT,
    "approvalReason" TEXT,
    "approvalChannelId" TEXT,
    "approvalMessageId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "leaseUntil" DATETIME,
    "lastError" TEXT,
    "xPostId" TEXT,
    "publishedAt" DATETIME,
    "costUsd" REAL,
    "createdBy" TEXT NOT NULL,
    "editedBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Post_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Post_affiliateLinkId_fkey" FOREIGN KEY ("affiliateLinkId") REFERENCES "AffiliateLink" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Post" ("id", "campaignId", "text", "media", "affiliateLinkId", "scheduledAt", "status", "approvalBy", "approvalAt", "approvalDecision", "approvalReason", "approvalChannelId", "approvalMessageId", "attempts", "nextAttemptAt", "leaseUntil", "lastError", "xPostId", "publishedAt", "costUsd", "createdBy", "createdAt", "updatedAt")
SELECT "id", "campaignId", "text", "media", "affiliateLinkId", "scheduledAt", CASE "status" WHEN 'draft' THEN 'pending_approval' ELSE "status" END, "approvalBy", "approvalAt", "approvalDecision", "approvalReason", "approvalChannelId", "approvalMessageId", "attempts", "nextAttemptAt", "leaseUntil", "lastError", "xPostId", "publishedAt", "costUsd", "createdBy", "createdAt", "updatedAt" FROM "Post";
DROP TABLE "Post";
ALTER TABLE "new_Post" RENAME TO "Post";
CREATE UNIQUE INDEX "Post_affiliateLinkId_key" ON "Post"("affiliateLinkId");
CREATE INDEX "Post_status_scheduledAt_idx" ON "Post"("status", "scheduledAt");
CREATE INDEX "Post_status_nextAttemptAt_idx" ON "Post"("status", "nextAttemptAt");
CREATE INDEX "Post_status_leaseUntil_idx" ON "Post"("status", "leaseUntil");
CREATE INDEX "Post_campaignId_status_idx" ON "Post"("campaignId", "status");
CREATE INDEX "Post_campaignId_scheduledAt_idx" ON "Post"("campaignId", "scheduledAt");
