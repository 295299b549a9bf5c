-- Content library and autopilot (design.md section 12): library items per campaign, the slots
-- autopilot filled (unique per campaign and instant) and each campaign's autopilot settings.
ALTER TABLE "Campaign" ADD COLUMN "autopilotEnabled" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Campaign" ADD COLUMN "autopilotDaysAhead" INTEGER NOT NULL DEFAULT 3;
ALTER TABLE "Campaign" ADD COLUMN "autopilotMinRepeatDays" INTEGER NOT NULL DEFAULT 14;

CREATE TABLE "ContentItem" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "link" TEXT,
    "media" TEXT NOT NULL DEFAULT '[]',
    "tags" TEXT NOT NULL DEFAULT '[]',
    "evergreen" BOOLEAN NOT NULL DEFAULT true,
    "expiresOn" TEXT,
    "maxUses" INTEGER,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "lastUsedAt" TIMESTAMP(3),
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ContentItem_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ContentItem_campaignId_lastUsedAt_idx" ON "ContentItem"("campaignId", "lastUsedAt");
ALTER TABLE "ContentItem" ADD CONSTRAINT "ContentItem_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Post" ADD COLUMN "contentItemId" INTEGER;
ALTER TABLE "Post" ADD CONSTRAINT "Post_contentItemId_fkey" FOREIGN KEY ("contentItemId") REFERENCES "ContentItem"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "AutopilotSlot" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "slotAt" TIMESTAMP(3) NOT NULL,
    "postId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AutopilotSlot_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "AutopilotSlot_postId_key" ON "AutopilotSlot"("postId");
CREATE UNIQUE INDEX "AutopilotSlot_campaignId_slotAt_key" ON "AutopilotSlot"("campaignId", "slotAt");
ALTER TABLE "AutopilotSlot" ADD CONSTRAINT "AutopilotSlot_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AutopilotSlot" ADD CONSTRAINT "AutopilotSlot_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE SET NULL ON UPDATE CASCADE;
