/**
 * Herald's web server (design.md section 13): health for Docker and Kubernetes, tracked-link
 * redirects and conversion postbacks. Everything it knows is in the database, so several instances
 * behind one load balancer need no shared memory.
 */
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { Logger } from "../logger.ts";

/** What /readyz asks before it says the instance may take traffic. */
export interface Readiness {
  /** True when the database answers a query. */
  database(): Promise<boolean>;
  /** True while the Discord gateway connection is up. */
  gateway(): boolean;
}

/** Adds a group of routes; the server stays unaware of what each group needs. */
export type Routes = (app: FastifyInstance) => void;

/** Small bodies only: a postback is a few fields, and anything larger is refused before parsing. */
const BODY_LIMIT_BYTES = 16 * 1024;

export function createHttpServer(deps: {
  readiness: Readiness;
  routes: readonly Routes[];
  logger: Logger;
}): FastifyInstance {
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    // Long paths are hostile or mistaken: codes and tokens are short, so 404 without routing work.
    routerOptions: { maxParamLength: 100 },
    // Behind a load balancer the client address is in X-Forwarded-For.
    trustProxy: true,
    logger: false,
  });
  app.get("/healthz", async (_request, reply) =>
    reply.header("cache-control", "no-store").send({ ok: true }),
  );
  app.get("/readyz", async (_request, reply) => {
    const database = await deps.readiness.database().catch(() => false);
    const gateway = deps.readiness.gateway();
    const ok = database && gateway;
    return reply
      .code(ok ? 200 : 503)
      .header("cache-control", "no-store")
      .send({ ok, database, gateway });
  });
  for (const routes of deps.routes) routes(app);
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type("text/plain").send("Not found\n"),
  );
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status =
      typeof error.statusCode === "number" && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) deps.logger.error({ err: error, url: request.url }, "HTTP request failed");
    return reply
      .code(status)
      .type("text/plain")
      .send(status === 500 ? "Internal error\n" : `${error.message}\n`);
  });
  return app;
}

/** Listens on every interface (a container's port is published from outside it). */
export async function listen(app: FastifyInstance, port: number): Promise<string> {
  return app.listen({ port, host: "0.0.0.0" });
}
