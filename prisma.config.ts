import { defineConfig } from "prisma/config";

// The CLI only generates the client here; Herald applies migrations itself on start
// (src/db/migrate.ts), so no datasource URL is needed for `prisma generate`.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
