-- AlterTable
ALTER TABLE "Post" ADD COLUMN "nextAttemptAt" DATETIME;

-- CreateIndex
CREATE INDEX "Post_status_nextAttemptAt_idx" ON "Post"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Post_status_leaseUntil_idx" ON "Post"("status", "leaseUntil");
