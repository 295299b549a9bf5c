-- Admins are members with Discord's Manage Server permission; no role is stored for them.
ALTER TABLE "Settings" DROP COLUMN "adminRoleId";

-- AlterTable
ALTER TABLE "Post" ADD COLUMN "approvalChannelId" TEXT;
ALTER TABLE "Post" ADD COLUMN "approvalMessageId" TEXT;
