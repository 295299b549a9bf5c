import { ButtonStyle, ComponentType, MessageFlags } from "discord.js";
import { isRecord, type MessageDraft } from "./message-drafts.ts";
import { allowedMentionsProblems } from "./message-mentions.ts";
import { errors, type FakeResponse, type FormProblem, invalidFormBody } from "./responses.ts";

type Path = readonly (string | number)[];

/** Discord's documented limits; a message over them is refused, not truncated. */
const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  embedTotal: 6000,
  actionRows: 5,
  rowButtons: 5,
  customId: 100,
  buttonLabel: 80,
} as const;

/** Characters as Discord counts them (code points, not UTF-16 units). */
export function lengthOf(text: string): number {
  return [...text].length;
}

export function maxLength(path: Path, max: number): FormProblem {
  return { path, code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${max} or fewer in length.` };
}

export function required(path: Path): FormProblem {
  return { path, code: "BASE_TYPE_REQUIRED", message: "This field is required" };
}

/** The 400 Discord answers to a message it refuses; undefined when it accepts it. */
export function refuseMessage(
  draft: MessageDraft,
  { creating, fileCount }: { creating: boolean; fileCount: number },
): FakeResponse | undefined {
  const empty =
    (draft.content ?? "") === "" &&
    (draft.embeds ?? []).length === 0 &&
    (draft.components ?? []).length === 0 &&
    (draft.attachments ?? []).length === 0 &&
    fileCount === 0;
  if (creating && empty) return errors.emptyMessage();
  const problems = [
    ...textProblems(["content"], draft.content, LIMITS.content),
    ...allowedMentionsProblems(draft.allowedMentions),
    ...embedsProblems(draft.embeds ?? []),
    ...((draft.flags ?? 0) & MessageFlags.IsComponentsV2
      ? []
      : componentsProblems(draft.components ?? [])),
  ];
  return problems.length === 0 ? undefined : invalidFormBody(problems);
}

function textProblems(path: Path, value: unknown, max: number): FormProblem[] {
  return typeof value === "string" && lengthOf(value) > max ? [maxLength(path, max)] : [];
}

function embedsProblems(embeds: readonly unknown[]): FormProblem[] {
  if (embeds.length > LIMITS.embeds) return [maxLength(["embeds"], LIMITS.embeds)];
  const problems: FormProblem[] = [];
  let total = 0;
  embeds.forEach((embed, index) => {
    if (!isRecord(embed)) return;
    const at = (...rest: (string | number)[]) => ["embeds", index, ...rest];
    const footer = isRecord(embed.footer) ? embed.footer : {};
    const author = isRecord(embed.author) ? embed.author : {};
    problems.push(
      ...textProblems(at("title"), embed.title, LIMITS.embedTitle),
      ...textProblems(at("description"), embed.description, LIMITS.embedDescription),
      ...textProblems(at("footer", "text"), footer.text, LIMITS.footerText),
      ...textProblems(at("author", "name"), author.name, LIMITS.authorName),
    );
    total += [embed.title, embed.description, footer.text, author.name]
      .map((text) => (typeof text === "string" ? lengthOf(text) : 0))
      .reduce((sum, length) => sum + length, 0);
    const fields = Array.isArray(embed.fields) ? embed.fields : [];
    if (fields.length > LIMITS.embedFields) problems.push(maxLength(at("fields"), 25));
    fields.forEach((field: unknown, fieldIndex) => {
      if (!isRecord(field)) return;
      for (const [key, max] of [
        ["name", LIMITS.fieldName],
        ["value", LIMITS.fieldValue],
      ] as const) {
        const text = field[key];
        if (typeof text !== "string" || text === "") {
          problems.push(required(at("fields", fieldIndex, key)));
        } else {
          problems.push(...textProblems(at("fields", fieldIndex, key), text, max));
          total += lengthOf(text);
        }
      }
    });
  });
  if (total > LIMITS.embedTotal) {
    problems.push({
      path: ["embeds"],
      code: "MAX_EMBED_SIZE_EXCEEDED",
      message: `Embed size exceeds maximum size of ${LIMITS.embedTotal}`,
    });
  }
  return problems;
}

/** Classic components: up to five action rows of up to five buttons (or one select). */
function componentsProblems(rows: readonly unknown[]): FormProblem[] {
  if (rows.length > LIMITS.actionRows) return [maxLength(["components"], LIMITS.actionRows)];
  const problems: FormProblem[] = [];
  const seen = new Set<string>();
  rows.forEach((row, rowIndex) => {
    if (!isRecord(row) || row.type !== ComponentType.ActionRow) return;
    const children = Array.isArray(row.components) ? row.components : [];
    if (children.length < 1 || children.length > LIMITS.rowButtons) {
      problems.push({
        path: ["components", rowIndex, "components"],
        code: "BASE_TYPE_BAD_LENGTH",
        message: `Must be between 1 and ${LIMITS.rowButtons} in length.`,
      });
    }
    children.forEach((child: unknown, childIndex) => {
      if (!isRecord(child)) return;
      const at = (key: string) => ["components", rowIndex, "components", childIndex, key];
      const linkLike = child.style === ButtonStyle.Link || child.style === ButtonStyle.Premium;
      if (child.type === ComponentType.Button) {
        problems.push(...textProblems(at("label"), child.label, LIMITS.buttonLabel));
        if (linkLike) return;
      }
      const customId = child.custom_id;
      if (typeof customId !== "string" || customId === "") {
        problems.push(required(at("custom_id")));
        return;
      }
      problems.push(...textProblems(at("custom_id"), customId, LIMITS.customId));
      if (seen.has(customId)) {
        problems.push({
          path: at("custom_id"),
          code: "COMPONENT_CUSTOM_ID_DUPLICATED",
          message: "Component custom id cannot be duplicated",
        });
      }
      seen.add(customId);
    });
  });
  return problems;
}
