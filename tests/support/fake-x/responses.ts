/** An answer of the fake before it is written: status, JSON body and extra headers. */
export interface FakeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function ok(body: unknown, status = 200): FakeResponse {
  return { status, body };
}

// X API v2's error bodies ("problems"), copied from real responses: twitter-api-v2 builds
// ApiResponseError's message and `data` from them.

function problem(status: number, title: string, detail: string): FakeResponse {
  return { status, body: { title, detail, type: "about:blank", status } };
}

export function unauthorized(): FakeResponse {
  return problem(401, "Unauthorized", "Unauthorized");
}

export function duplicateContent(): FakeResponse {
  return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.");
}

export function tooManyRequests(): FakeResponse {
  return problem(429, "Too Many Requests", "Too Many Requests");
}

export function serverError(status: 500 | 503): FakeResponse {
  return status === 500
    ? problem(500, "Internal Server Error", "Internal Server Error")
    : problem(503, "Service Unavailable", "Service Unavailable");
}

export function routeNotFound(): FakeResponse {
  return problem(404, "Not Found", "Not Found");
}

/** 400 for a request X's validation refuses, naming the parameter and why. */
export function invalidRequest(parameter: string, value: string, message: string): FakeResponse {
  return {
    status: 400,
    body: {
      errors: [{ parameters: { [parameter]: [value] }, message }],
      title: "Invalid Request",
      detail: "One or more parameters to your request was invalid.",
      type: "https://api.twitter.com/2/problems/invalid-request",
    },
  };
}

/** An item of the `errors` array of a 200 lookup, for an id X does not hold. */
export function resourceNotFound(
  resourceType: "tweet" | "user",
  parameter: string,
  id: string,
): Record<string, string> {
  const noun = resourceType === "tweet" ? "tweet with ids" : "user with id";
  return {
    value: id,
    detail: `Could not find ${noun}: [${id}].`,
    title: "Not Found Error",
    resource_type: resourceType,
    parameter,
    resource_id: id,
    type: "https://api.twitter.com/2/problems/resource-not-found",
  };
}
