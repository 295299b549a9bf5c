-- Leases carry the runner's id (design.md section 4): only the holder renews or settles them.
ALTER TABLE "Post" ADD COLUMN "leaseOwner" TEXT;
-- When the first attempt began: kept by Retry, so the timeline is searched from there.
ALTER TABLE "Post" ADD COLUMN "firstAttemptAt" DATETIME;
