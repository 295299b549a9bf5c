// Docker's HEALTHCHECK: healthy when Herald's web server answers /healthz. Without
// HERALD_PUBLIC_URL there is no web server, and the process being up is all Docker can know.
if (!process.env.HERALD_PUBLIC_URL) process.exit(0);
const port = process.env.HERALD_HTTP_PORT || "8080";
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
