// Two Herald instances on one PostgreSQL database and one Discord bot (design.md section 10).
// Discord delivers every interaction to every connected instance and accepts one answer: the
// work behind a command or button must happen once.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Herald } from "../../src/main.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  approvalMessageOf,
  connectTeamAccount,
  createCampaign,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import {
  createPostgresSchema,
  noticePostgresSkipped,
  type PostgresSchema,
  testPostgresUrl,
} from "../support/postgres.ts";

const pgUrl = testPostgresUrl();
if (pgUrl === undefined) noticePostgresSkipped("two-instances.test.ts");

describe.runIf(pgUrl !== undefined)("two instances sharing one PostgreSQL database", () => {
  let schema: PostgresSchema;
  let e2e: E2E;
  let second: Herald;
  beforeEach(async () => {
    schema = await createPostgresSchema(pgUrl ?? "", "two_instances");
    e2e = await startE2E({ databaseUrl: schema.url });
    second = await e2e.startInstance();
  }, 60_000);
  afterEach(async () => {
    try {
      await finishE2E(e2e);
    } finally {
      await schema.drop();
    }
  });

  it("given a team that sets up, queues and approves a post due now, each step happens once and X gets the post once", async () => {
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    expect(await createCampaign(e2e)).toContain("Desk Lamps");
    const { reply, postId } = await queuePost(e2e, { text: "A lamp for two instances", at: "now" });
    if (postId === null) throw new Error(`not queued: ${reply}`);
    const message = await approvalMessageOf(e2e, postId);
    // Whichever instance claims it publishes it.
    const published = Promise.race(
      [e2e.herald, second].map(
        (instance) =>
          new Promise<number>((resolve) =>
            instance.runner.once("post.published", ({ post }) => resolve(post.id)),
          ),
      ),
    );
    const approved = await e2e.discord.pressButton({
      user: TEAM.approver,
      message,
      customId: `post:approve:${postId}`,
    });
    await approved.reply({ timeoutMs: 10_000 });
    expect(await published).toBe(postId);

    const client = await schema.client();
    const count = async (table: string) =>
      Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0]?.n);
    expect(await count("Campaign")).toBe(1);
    expect(await count("Post")).toBe(1);
    expect(await count("XAccount")).toBe(1);
    expect(e2e.fakeX.posts).toHaveLength(1);
    const approvalMessages = e2e.discord
      .channelMessages(TEAM.channels.approvals)
      .filter((m) => JSON.stringify(m.components).includes(`post:approve:${postId}`));
    expect(approvalMessages).toHaveLength(1);
  }, 90_000);
});
