-- CreateTable
CREATE TABLE "PostMetricsLatest" (
    "postId" INTEGER NOT NULL PRIMARY KEY,
    "impressions" INTEGER,
    "likes" INTEGER NOT NULL,
    "reposts" INTEGER NOT NULL,
    "replies" INTEGER NOT NULL,
    "quotes" INTEGER NOT NULL,
    "bookmarks" INTEGER,
    "urlLinkClicks" INTEGER,
    "engagementRate" REAL NOT NULL,
    "recordedAt" DATETIME NOT NULL,
    CONSTRAINT "PostMetricsLatest_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Backfill: the newest snapshot of every post that has one.
INSERT INTO "PostMetricsLatest" ("postId", "impressions", "likes", "reposts", "replies", "quotes", "bookmarks", "urlLinkClicks", "engagementRate", "recordedAt")
SELECT m."postId", m."impressions", m."likes", m."reposts", m."replies", m."quotes", m."bookmarks", m."urlLinkClicks", m."engagementRate", m."recordedAt"
FROM "PostMetrics" m
WHERE m."id" = (
    SELECT l."id" FROM "PostMetrics" l
    WHERE l."postId" = m."postId"
    ORDER BY l."recordedAt" DESC, l."id" DESC
    LIMIT 1
);
