-- Autopilot's messages (design.md section 12): the posts each "Approve all" message listed, and
-- the once-a-day "running dry" notice per campaign.
CREATE TABLE "AutopilotDigest" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "postIds" TEXT NOT NULL,
    "morningOf" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AutopilotDigest_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AutopilotDryNotice" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "date" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AutopilotDryNotice_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "AutopilotDryNotice_campaignId_date_key" ON "AutopilotDryNotice"("campaignId", "date");

ALTER TABLE "AutopilotDigest" ADD CONSTRAINT "AutopilotDigest_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AutopilotDryNotice" ADD CONSTRAINT "AutopilotDryNotice_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE UNIQUE INDEX "AutopilotDigest_campaignId_morningOf_key" ON "AutopilotDigest"("campaignId", "morningOf");
