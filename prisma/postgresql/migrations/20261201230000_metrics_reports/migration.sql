-- The metrics and reports models (SQLite: 20261201220000_daily_report_run and
-- 20261201230000_post_metrics_latest).
-- CreateTable
CREATE TABLE "DailyReportRun" (
    "id" SERIAL NOT NULL,
    "guildId" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    "ranAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DailyReportRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PostMetricsLatest" (
    "postId" INTEGER NOT NULL,
    "impressions" INTEGER,
    "likes" INTEGER NOT NULL,
    "reposts" INTEGER NOT NULL,
    "replies" INTEGER NOT NULL,
    "quotes" INTEGER NOT NULL,
    "bookmarks" INTEGER,
    "urlLinkClicks" INTEGER,
    "engagementRate" DOUBLE PRECISION NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PostMetricsLatest_pkey" PRIMARY KEY ("postId")
);

-- CreateIndex
CREATE UNIQUE INDEX "DailyReportRun_guildId_date_key" ON "DailyReportRun"("guildId", "date");

-- AddForeignKey
ALTER TABLE "PostMetricsLatest" ADD CONSTRAINT "PostMetricsLatest_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill: the newest snapshot of every post that has one.
INSERT INTO "PostMetricsLatest" ("postId", "impressions", "likes", "reposts", "replies", "quotes", "bookmarks", "urlLinkClicks", "engagementRate", "recordedAt")
SELECT DISTINCT ON ("postId") "postId", "impressions", "likes", "reposts", "replies", "quotes", "bookmarks", "urlLinkClicks", "engagementRate", "recordedAt"
FROM "PostMetrics"
ORDER BY "postId", "recordedAt" DESC, "id" DESC;
