import { CAMPAIGN_STATUSES, type Campaign, type CampaignStatus } from "../domain/campaigns.ts";
import { scheduleSchema } from "../domain/schedule.ts";
import type { Campaign as CampaignRow } from "../generated/prisma/client.ts";

/** A campaign row as the domain sees it: status and schedule checked. */
export function toCampaign(row: CampaignRow): Campaign {
  const status = row.status as CampaignStatus;
  if (!CAMPAIGN_STATUSES.includes(status)) {
    throw new Error(`Campaign ${row.id} has an unknown status in the database: ${row.status}`);
  }
  const { liveSlug: _live, ...campaign } = row;
  return {
    ...campaign,
    status,
    schedule: scheduleSchema.parse(JSON.parse(row.schedule)),
  };
}
