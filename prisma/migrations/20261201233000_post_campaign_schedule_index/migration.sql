-- The duplicate-text check (posts of one account within 24 h) and the free-slot search read a
-- campaign's posts by time; without this index SQLite walks every post of the campaign.
-- CreateIndex
CREATE INDEX "Post_campaignId_scheduledAt_idx" ON "Post"("campaignId", "scheduledAt");
