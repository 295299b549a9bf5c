import type { Command } from "../context.ts";
import { campaignCommand } from "./campaign.ts";
import { contentCommand } from "./content.ts";
import { experimentCommand } from "./experiment.ts";
import { postCommand } from "./post.ts";
import { reportCommand } from "./report.ts";
import { settingsCommand } from "./settings.ts";
import { xCommand } from "./x.ts";

/** Every slash command Herald registers (design.md section 5). */
export const COMMANDS: readonly Command[] = [
  campaignCommand,
  postCommand,
  contentCommand,
  reportCommand,
  experimentCommand,
  xCommand,
  settingsCommand,
];
