import { PrismaCampaignRepository } from "../src/db/campaign-repository.ts";
import { PrismaContentImports } from "../src/db/content-import-repository.ts";
import { PrismaContentItemRepository } from "../src/db/content-item-repository.ts";
import { PrismaPostRepository } from "../src/db/post-repository.ts";
import { CampaignService } from "../src/domain/campaigns.ts";
import { ContentImports } from "../src/domain/content-import.ts";
import { ContentLibrary } from "../src/domain/content-library.ts";
import { systemClock } from "../src/domain/ports.ts";
import { createTestDatabase } from "../tests/support/test-database.ts";

const db = createTestDatabase();
const campaigns = new PrismaCampaignRepository(db.prisma);
const items = new PrismaContentItemRepository(db.prisma);
const library = new ContentLibrary({ campaigns, items, clock: systemClock });
const imports = new ContentImports({ campaigns, library, items, imports: new PrismaContentImports(db.prisma), clock: systemClock });
for (const [name, adult] of [["Plain", false], ["Adult", true]] as const)
  await new CampaignService(campaigns, new PrismaPostRepository(db.prisma)).create({ guildId: "g", name, niche: "x", times: "09:00", timezone: "UTC", link: "https://shop.example.com/x", adult }, "discord:1");
for (const [label, campaign, row] of [
  ["5000 plain rows", "Plain", (i: number) => `Hiking tip number ${i} for the weekend trail,trail`],
  ["5000 rows x 40 variants, adult", "Adult", (i: number) => `{Great|Fine|Good|Solid|Light} {boots|shoes|kit|gear} for {spring|autumn} trails no. ${i},trail`],
] as const) {
  const csv = `text,tags\n${Array.from({ length: 5000 }, (_, i) => row(i)).join("\n")}\n`;
  let t = performance.now();
  const preview = await imports.preview("g", campaign, { name: "f.csv", bytes: new TextEncoder().encode(csv) }, "discord:1");
  const previewMs = performance.now() - t;
  t = performance.now();
  const done = await imports.confirm("g", preview.id ?? 0, "discord:1");
  console.log(preview.refused.slice(0,3)); console.log(label, { bytes: csv.length, valid: preview.valid, refused: preview.refused.length, previewMs: Math.round(previewMs), importMs: Math.round(performance.now() - t), imported: done.imported });
}
await db.close();
