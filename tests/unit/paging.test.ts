import type { InteractionEditReplyOptions } from "discord.js";
import { ButtonStyle, ComponentType } from "discord.js";
import { describe, expect, it } from "vitest";
import { type ListPage, PAGE_SIZE, pageReply, pageStart } from "../../src/bot/paging.ts";

function page(overrides: Partial<ListPage>): ListPage {
  return {
    noun: "Posts",
    filters: [],
    empty: "No posts match.",
    total: 45,
    offset: 0,
    entries: Array.from({ length: PAGE_SIZE }, (_, i) => `entry ${i}`),
    separator: "\n",
    idAt: (offset) => `page:test:${offset}`,
    ...overrides,
  };
}

interface ButtonJson {
  type: number;
  custom_id: string;
  label: string;
  style: number;
  disabled: boolean;
}

function rendered(reply: ReturnType<typeof pageReply>): {
  content: string;
  buttons: ButtonJson[];
} {
  const options = reply as InteractionEditReplyOptions;
  const rows = (options.components ?? []).map((row) => ("toJSON" in row ? row.toJSON() : row)) as {
    components: ButtonJson[];
  }[];
  return { content: options.content ?? "", buttons: rows.flatMap((row) => row.components) };
}

describe("pageStart", () => {
  it("keeps a position inside the list", () => {
    expect(pageStart(0, 45)).toBe(0);
    expect(pageStart(40, 45)).toBe(40);
  });

  it("given a position past the end (the list shrank), shows the last page", () => {
    expect(pageStart(50, 45)).toBe(40);
    expect(pageStart(40, 40)).toBe(30);
    expect(pageStart(10, 0)).toBe(0);
  });
});

describe("pageReply", () => {
  it("given nothing matches, answers the empty text without buttons", () => {
    expect(pageReply(page({ total: 0, entries: [] }))).toEqual({
      content: "No posts match.",
      components: [],
    });
  });

  it("given a middle page, says where it is and offers both directions", () => {
    const { content, buttons } = rendered(
      pageReply(page({ offset: 10, filters: ["Desk Lamps", "Approved"] })),
    );
    expect(content.split("\n")[0]).toBe("**Posts 11–20 of 45** · Desk Lamps · Approved");
    expect(buttons).toEqual([
      expect.objectContaining({
        type: ComponentType.Button,
        custom_id: "page:test:0",
        label: "Previous",
        style: ButtonStyle.Secondary,
        disabled: false,
      }),
      expect.objectContaining({ custom_id: "page:test:20", label: "Next", disabled: false }),
    ]);
  });

  it("disables Previous on the first page and Next on the last", () => {
    expect(rendered(pageReply(page({ offset: 0 }))).buttons.map((b) => b.disabled)).toEqual([
      true,
      false,
    ]);
    const last = rendered(pageReply(page({ offset: 40, entries: ["a", "b", "c", "d", "e"] })));
    expect(last.content.split("\n")[0]).toBe("**Posts 41–45 of 45**");
    expect(last.buttons.map((b) => b.disabled)).toEqual([false, true]);
  });

  it("given entries too long together, cuts each to a share so the message stays under 2,000 characters and every entry shows", () => {
    const entries = Array.from({ length: PAGE_SIZE }, (_, i) => `#${i} ${"x".repeat(2100)}`);
    const { content } = rendered(pageReply(page({ entries, separator: "\n\n" })));
    expect(content.length).toBeLessThanOrEqual(2000);
    for (let i = 0; i < PAGE_SIZE; i += 1) expect(content).toContain(`#${i} xxx`);
  });

  it("never lets an entry mention anyone", () => {
    const reply = pageReply(page({ entries: ["@everyone <@&1>"] })) as InteractionEditReplyOptions;
    expect(reply.allowedMentions).toEqual({ parse: [] });
  });
});
