-- X spend (design.md section 6): a monthly budget per guild, with the month each notice went out
-- for; accounts that own the developer app are read through their own timeline; a ledger of what
-- X billed per UTC day, account and kind of call.
ALTER TABLE "Settings" ADD COLUMN "xMonthlyBudget" DOUBLE PRECISION;
ALTER TABLE "Settings" ADD COLUMN "xBudgetStopsPosting" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Settings" ADD COLUMN "xBudgetWarnedFor" TEXT;
ALTER TABLE "Settings" ADD COLUMN "xBudgetReachedFor" TEXT;

ALTER TABLE "XAccount" ADD COLUMN "ownsApp" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "XSpend" (
    "id" SERIAL NOT NULL,
    "day" TEXT NOT NULL,
    "xAccountId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "units" INTEGER NOT NULL DEFAULT 0,
    "usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "XSpend_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "XSpend_day_xAccountId_kind_key" ON "XSpend"("day", "xAccountId", "kind");
CREATE INDEX "XSpend_xAccountId_day_idx" ON "XSpend"("xAccountId", "day");
ALTER TABLE "XSpend" ADD CONSTRAINT "XSpend_xAccountId_fkey" FOREIGN KEY ("xAccountId") REFERENCES "XAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;
