/**
 * The X API v2 endpoints the fake speaks, named "METHOD /path" with X's documented path
 * parameters, the names tests use for faults, rate limits and request counts.
 */
export const FAKE_X_ROUTES = [
  "POST /2/tweets",
  "GET /2/tweets",
  "GET /2/users/me",
  "GET /2/users/:id/tweets",
  "POST /2/media/upload",
  "GET /2/media/upload",
  "POST /2/media/upload/initialize",
  "POST /2/media/upload/:id/append",
  "POST /2/media/upload/:id/finalize",
  "POST /2/media/metadata",
] as const;

export type FakeXRoute = (typeof FAKE_X_ROUTES)[number];

export interface RouteMatch {
  readonly route: FakeXRoute;
  /** Values of the `:id` style segments. */
  readonly params: Readonly<Record<string, string>>;
}

const PATTERNS = FAKE_X_ROUTES.map((route) => {
  const [method, path] = route.split(" ") as [string, string];
  const names: string[] = [];
  const source = path.replace(/:([a-z_]+)/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { route, method, names, regex: new RegExp(`^${source}$`) };
});

/** The route a request is for; undefined for anything X would answer with 404. */
export function matchRoute(method: string, pathname: string): RouteMatch | undefined {
  for (const { route, method: routeMethod, names, regex } of PATTERNS) {
    if (routeMethod !== method) continue;
    const found = regex.exec(pathname);
    if (found === null) continue;
    const params: Record<string, string> = {};
    names.forEach((name, index) => {
      params[name] = decodeURIComponent(found[index + 1] ?? "");
    });
    return { route, params };
  }
  return undefined;
}

export function isFakeXRoute(value: string): value is FakeXRoute {
  return (FAKE_X_ROUTES as readonly string[]).includes(value);
}
