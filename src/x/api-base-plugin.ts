import type { ITwitterApiClientPlugin } from "twitter-api-v2";

const X_HOSTS = new Set(["api.x.com", "upload.x.com", "api.twitter.com", "upload.twitter.com"]);

/**
 * Points every request of a twitter-api-v2 client at `base` (X_API_BASE) and gives each one a
 * timeout. A plugin, because the client's setPrefix misses calls that hard-code their prefix
 * (currentUserV2(), media upload), and because a hung request must become an error the runner
 * can recover from instead of a publish that never ends.
 */
export function apiBasePlugin(base: URL, timeoutMs: number): ITwitterApiClientPlugin {
  return {
    onBeforeRequestConfig({ params }) {
      const url = new URL(params.url);
      if (X_HOSTS.has(url.hostname)) {
        url.protocol = base.protocol;
        url.host = base.host;
        params.url = url.href;
      }
      params.timeout ??= timeoutMs;
    },
  };
}
