-- Autopilot's messages (design.md section 12): the posts each "Approve all" message listed, and
-- the once-a-day "running dry" notice per campaign.
CREATE TABLE "AutopilotDigest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "postIds" TEXT NOT NULL,
    "morningOf" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AutopilotDigest_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "AutopilotDryNotice" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "date" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AutopilotDryNotice_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "AutopilotDryNotice_campaignId_date_key" ON "AutopilotDryNotice"("campaignId", "date");
CREATE UNIQUE INDEX "AutopilotDigest_campaignId_morningOf_key" ON "AutopilotDigest"("campaignId", "morningOf");
