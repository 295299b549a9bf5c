import type { Fault } from "./faults.ts";
import type { FakeXRoute } from "./routes.ts";
import type { PostMetrics, StoredMedia, StoredPost } from "./store.ts";

/** A typed client of the out-of-process fake's control API (see control-server.ts). */
export class FakeXControl {
  constructor(private readonly controlUrl: string) {}

  /** The posts X holds, oldest first. */
  posts(): Promise<StoredPost[]> {
    return this.call("GET", "/posts") as Promise<StoredPost[]>;
  }

  media(): Promise<StoredMedia[]> {
    return this.call("GET", "/media") as Promise<StoredMedia[]>;
  }

  /** Requests received for `route`, or in all if none is named. */
  async requestCount(route?: FakeXRoute): Promise<number> {
    const query = route === undefined ? "" : `?route=${encodeURIComponent(route)}`;
    const { count } = (await this.call("GET", `/requests/count${query}`)) as { count: number };
    return count;
  }

  async fail(route: FakeXRoute, fault: Fault, times = 1): Promise<void> {
    await this.call("POST", "/fail", { route, fault, times });
  }

  async setMetrics(postId: string, metrics: Partial<PostMetrics>): Promise<void> {
    await this.call("POST", "/metrics", { postId, metrics });
  }

  async reset(): Promise<void> {
    await this.call("POST", "/reset");
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(new URL(path, this.controlUrl), {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    if (!response.ok) {
      throw new Error(
        `fake X control ${method} ${path}: ${response.status} ${await response.text()}`,
      );
    }
    return response.status === 204 ? undefined : response.json();
  }
}
