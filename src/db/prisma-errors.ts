import { Prisma } from "../generated/prisma/client.ts";

/** Prisma's code for a unique-constraint violation, the same with every driver adapter. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
