-- CreateTable
CREATE TABLE "Settings" (
    "guildId" TEXT NOT NULL,
    "approvalChannelId" TEXT,
    "reportChannelId" TEXT,
    "managerRoleId" TEXT,
    "approverRoleId" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "reportTime" TEXT NOT NULL DEFAULT '09:00',
    "lateGraceMinutes" INTEGER NOT NULL DEFAULT 15,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Settings_pkey" PRIMARY KEY ("guildId")
);

-- CreateTable
CREATE TABLE "Member" (
    "id" SERIAL NOT NULL,
    "discordUserId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "isAdmin" BOOLEAN NOT NULL DEFAULT false,
    "isContentManager" BOOLEAN NOT NULL DEFAULT false,
    "isApprover" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "XAccount" (
    "id" SERIAL NOT NULL,
    "guildId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "xUserId" TEXT NOT NULL,
    "credentials" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "dailyPostBudget" INTEGER NOT NULL DEFAULT 100,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "XAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" SERIAL NOT NULL,
    "guildId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "niche" TEXT NOT NULL,
    "xAccountId" INTEGER,
    "timezone" TEXT NOT NULL,
    "schedule" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "adult" BOOLEAN NOT NULL DEFAULT false,
    "defaultLink" TEXT,
    "epc" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "paidPartnership" BOOLEAN NOT NULL DEFAULT true,
    "disclosureTag" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AffiliateLink" (
    "id" SERIAL NOT NULL,
    "originalUrl" TEXT NOT NULL,
    "utmSource" TEXT NOT NULL DEFAULT 'x',
    "utmMedium" TEXT NOT NULL DEFAULT 'social',
    "utmCampaign" TEXT NOT NULL,
    "utmContent" TEXT,
    "trackedUrl" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AffiliateLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "media" TEXT NOT NULL DEFAULT '[]',
    "affiliateLinkId" INTEGER,
    "scheduledAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "approvalBy" TEXT,
    "approvalAt" TIMESTAMP(3),
    "approvalDecision" TEXT,
    "approvalReason" TEXT,
    "approvalChannelId" TEXT,
    "approvalMessageId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "leaseUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "xPostId" TEXT,
    "publishedAt" TIMESTAMP(3),
    "costUsd" DOUBLE PRECISION,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PostMetrics" (
    "id" SERIAL NOT NULL,
    "postId" INTEGER NOT NULL,
    "impressions" INTEGER,
    "likes" INTEGER NOT NULL,
    "reposts" INTEGER NOT NULL,
    "replies" INTEGER NOT NULL,
    "quotes" INTEGER NOT NULL,
    "bookmarks" INTEGER,
    "urlLinkClicks" INTEGER,
    "engagementRate" DOUBLE PRECISION NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PostMetrics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignDaily" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "date" TEXT NOT NULL,
    "impressions" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "engagements" INTEGER NOT NULL DEFAULT 0,
    "posts" INTEGER NOT NULL DEFAULT 0,
    "revenue" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "conversionRate" DOUBLE PRECISION,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CampaignDaily_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" SERIAL NOT NULL,
    "guildId" TEXT,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Member_discordUserId_key" ON "Member"("discordUserId");

-- CreateIndex
CREATE UNIQUE INDEX "XAccount_guildId_handle_key" ON "XAccount"("guildId", "handle");

-- CreateIndex
CREATE INDEX "Campaign_niche_idx" ON "Campaign"("niche");

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_guildId_name_key" ON "Campaign"("guildId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_guildId_slug_key" ON "Campaign"("guildId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "Post_affiliateLinkId_key" ON "Post"("affiliateLinkId");

-- CreateIndex
CREATE INDEX "Post_status_scheduledAt_idx" ON "Post"("status", "scheduledAt");

-- CreateIndex
CREATE INDEX "Post_status_nextAttemptAt_idx" ON "Post"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Post_status_leaseUntil_idx" ON "Post"("status", "leaseUntil");

-- CreateIndex
CREATE INDEX "Post_campaignId_status_idx" ON "Post"("campaignId", "status");

-- CreateIndex
CREATE INDEX "PostMetrics_postId_recordedAt_idx" ON "PostMetrics"("postId", "recordedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignDaily_campaignId_date_key" ON "CampaignDaily"("campaignId", "date");

-- CreateIndex
CREATE INDEX "AuditEvent_targetType_targetId_idx" ON "AuditEvent"("targetType", "targetId");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt");

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_xAccountId_fkey" FOREIGN KEY ("xAccountId") REFERENCES "XAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_affiliateLinkId_fkey" FOREIGN KEY ("affiliateLinkId") REFERENCES "AffiliateLink"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostMetrics" ADD CONSTRAINT "PostMetrics_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignDaily" ADD CONSTRAINT "CampaignDaily_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;
