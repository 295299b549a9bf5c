-- A post queued through the /post queue form remembers the form, so a form submitted twice
-- (Discord's retry, a double click) queues one post.
ALTER TABLE "Post" ADD COLUMN "formId" TEXT;
CREATE UNIQUE INDEX "Post_formId_key" ON "Post"("formId");
