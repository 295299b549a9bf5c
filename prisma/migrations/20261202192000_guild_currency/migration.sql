-- The guild's currency (design.md sections 6 and 13): revenue is shown in it; payouts sent in
-- another currency are stored as sent and shown apart, never converted.
ALTER TABLE "Settings" ADD COLUMN "currency" TEXT NOT NULL DEFAULT 'USD';
