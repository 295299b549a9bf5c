-- Experiments (design.md section 14): 2–4 variant texts per experiment, and the variant a post
-- publishes.
CREATE TABLE "Experiment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "name" TEXT,
    "metric" TEXT NOT NULL DEFAULT 'ctr',
    "samplePerVariant" INTEGER NOT NULL,
    "confidence" REAL NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    CONSTRAINT "Experiment_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Experiment_status_idx" ON "Experiment"("status");
CREATE INDEX "Experiment_campaignId_status_idx" ON "Experiment"("campaignId", "status");

CREATE TABLE "ExperimentVariant" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "experimentId" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "contentItemId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ExperimentVariant_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "ExperimentVariant_experimentId_label_key" ON "ExperimentVariant"("experimentId", "label");

-- SQLite adds a column with a foreign key in place when its default is null.
ALTER TABLE "Post" ADD COLUMN "experimentVariantId" INTEGER REFERENCES "ExperimentVariant" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "Post_experimentVariantId_idx" ON "Post"("experimentVariantId");
