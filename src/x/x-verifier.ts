import { z } from "zod";
import type { Clock } from "../domain/ports.ts";
import type { XCredentials } from "../domain/secrets.ts";
import type { XAccountVerifier } from "../domain/x-accounts.ts";
import { createXClient, type XConnection } from "./client.ts";
import { classifyXError } from "./error-mapping.ts";

const me = z.object({
  data: z.object({ id: z.string().regex(/^\d+$/), username: z.string().min(1) }),
});

export class XApiVerifier implements XAccountVerifier {
  constructor(private readonly connection: XConnection & { clock: Clock }) {}

  async verify(credentials: XCredentials) {
    try {
      const response = await createXClient(credentials, this.connection).v2.get("users/me");
      const parsed = me.safeParse(response);
      if (!parsed.success) {
        return { kind: "unreachable" as const, reason: "X's answer had an unexpected shape" };
      }
      return {
        kind: "ok" as const,
        xUserId: parsed.data.data.id,
        username: parsed.data.data.username,
      };
    } catch (error) {
      const failure = classifyXError(error, this.connection.clock.now());
      return failure.kind === "auth_invalid" || failure.kind === "rejected"
        ? { kind: "refused" as const, reason: failure.reason }
        : { kind: "unreachable" as const, reason: failure.reason };
    }
  }
}
