import type { z } from "zod";
import { DomainError } from "../domain/errors.ts";

/**
 * Validates a command's options at the edge. Discord already enforces types and declared
 * lengths, but a modified client or a changed definition must not reach the domain unchecked.
 */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`,
  );
  throw new DomainError("invalid_input", `Check these options: ${problems.join("; ")}.`);
}

/** discord.js returns null for options that were not given; zod's optional() wants undefined. */
export function given<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}
