-- Attribution (design.md section 13): tracked links per post, their clicks, the networks'
-- conversion postbacks and the per-guild postback token.
ALTER TABLE "Settings" ADD COLUMN "postbackToken" TEXT;

ALTER TABLE "Campaign" ADD COLUMN "tracking" BOOLEAN;
ALTER TABLE "Campaign" ADD COLUMN "clickParam" TEXT NOT NULL DEFAULT 'subid';

ALTER TABLE "AffiliateLink" ADD COLUMN "code" TEXT;
CREATE UNIQUE INDEX "AffiliateLink_code_key" ON "AffiliateLink"("code");

CREATE TABLE "Click" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "postId" INTEGER NOT NULL,
    "clickId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "bot" BOOLEAN NOT NULL,
    "visitorHash" TEXT NOT NULL,
    "hour" TEXT NOT NULL,
    CONSTRAINT "Click_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Click_clickId_key" ON "Click"("clickId");
CREATE INDEX "Click_postId_at_idx" ON "Click"("postId", "at");

CREATE TABLE "Conversion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "guildId" TEXT NOT NULL,
    "clickId" TEXT NOT NULL,
    "postId" INTEGER NOT NULL,
    "txid" TEXT NOT NULL,
    "payout" REAL NOT NULL,
    "currency" TEXT,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Conversion_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Conversion_clickId_txid_key" ON "Conversion"("clickId", "txid");
CREATE INDEX "Conversion_postId_idx" ON "Conversion"("postId");
