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
UPDATE "Post" SET "status" = 'pending_approval' WHERE "status" = 'draft';
ALTER TABLE "Post" ALTER COLUMN "status" SET DEFAULT 'pending_approval';
ALTER TABLE "Post" ADD COLUMN "editedBy" TEXT;
