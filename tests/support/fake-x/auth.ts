import type { IncomingHttpHeaders } from "node:http";

/**
 * The token that says who is calling: `oauth_token` of an OAuth 1.0a header (user context, as
 * Herald signs its requests) or an OAuth 2 bearer token. Signatures are not checked: the fake
 * knows no consumer secrets, and which account acts is what tests care about.
 */
export function callerToken(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization === undefined) return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  if (bearer !== undefined) return bearer;
  if (!/^OAuth\s/i.test(authorization)) return undefined;
  const token = /oauth_token="([^"]*)"/.exec(authorization)?.[1];
  return token === undefined ? undefined : decodeURIComponent(token);
}
