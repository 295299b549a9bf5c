-- CSV import previews (design.md section 12): the valid rows of a /content import file, kept for
-- an hour so its Import button works after a restart.
CREATE TABLE "ContentImport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "guildId" TEXT NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "createdBy" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "rows" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "ContentImport_createdAt_idx" ON "ContentImport"("createdAt");
