-- The duplicate-text check and the free-slot search read a campaign's posts by time.
-- CreateIndex
CREATE INDEX "Post_campaignId_scheduledAt_idx" ON "Post"("campaignId", "scheduledAt");
