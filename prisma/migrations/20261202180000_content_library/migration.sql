-- Content library and autopilot (design.md section 12): library items per campaign, the slots
-- autopilot filled (unique per campaign and instant) and each campaign's autopilot settings.
ALTER TABLE "Campaign" ADD COLUMN "autopilotEnabled" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Campaign" ADD COLUMN "autopilotDaysAhead" INTEGER NOT NULL DEFAULT 3;
ALTER TABLE "Campaign" ADD COLUMN "autopilotMinRepeatDays" INTEGER NOT NULL DEFAULT 14;

CREATE TABLE "ContentItem" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "link" TEXT,
    "media" TEXT NOT NULL DEFAULT '[]',
    "tags" TEXT NOT NULL DEFAULT '[]',
    "evergreen" BOOLEAN NOT NULL DEFAULT true,
    "expiresOn" TEXT,
    "maxUses" INTEGER,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "lastUsedAt" DATETIME,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ContentItem_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "ContentItem_campaignId_lastUsedAt_idx" ON "ContentItem"("campaignId", "lastUsedAt");

-- SQLite adds a column with a foreign key in place when its default is null.
ALTER TABLE "Post" ADD COLUMN "contentItemId" INTEGER REFERENCES "ContentItem" ("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "AutopilotSlot" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "slotAt" DATETIME NOT NULL,
    "postId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AutopilotSlot_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AutopilotSlot_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "AutopilotSlot_postId_key" ON "AutopilotSlot"("postId");
CREATE UNIQUE INDEX "AutopilotSlot_campaignId_slotAt_key" ON "AutopilotSlot"("campaignId", "slotAt");
