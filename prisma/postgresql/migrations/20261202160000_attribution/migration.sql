-- Attribution (design.md section 13): tracked links per post, their clicks, the networks'
-- conversion postbacks and the per-guild postback token.
ALTER TABLE "Settings" ADD COLUMN "postbackToken" TEXT;

ALTER TABLE "Campaign" ADD COLUMN "tracking" BOOLEAN;
ALTER TABLE "Campaign" ADD COLUMN "clickParam" TEXT NOT NULL DEFAULT 'subid';

ALTER TABLE "AffiliateLink" ADD COLUMN "code" TEXT;
CREATE UNIQUE INDEX "AffiliateLink_code_key" ON "AffiliateLink"("code");

CREATE TABLE "Click" (
    "id" SERIAL NOT NULL,
    "postId" INTEGER NOT NULL,
    "clickId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "bot" BOOLEAN NOT NULL,
    "visitorHash" TEXT NOT NULL,
    "hour" TEXT NOT NULL,

    CONSTRAINT "Click_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Click_clickId_key" ON "Click"("clickId");
CREATE INDEX "Click_postId_at_idx" ON "Click"("postId", "at");
ALTER TABLE "Click" ADD CONSTRAINT "Click_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "Conversion" (
    "id" SERIAL NOT NULL,
    "guildId" TEXT NOT NULL,
    "clickId" TEXT NOT NULL,
    "postId" INTEGER NOT NULL,
    "txid" TEXT NOT NULL,
    "payout" DOUBLE PRECISION NOT NULL,
    "currency" TEXT,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Conversion_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Conversion_clickId_txid_key" ON "Conversion"("clickId", "txid");
CREATE INDEX "Conversion_postId_idx" ON "Conversion"("postId");
ALTER TABLE "Conversion" ADD CONSTRAINT "Conversion_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
