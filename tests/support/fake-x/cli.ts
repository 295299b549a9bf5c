// The fake X as a process of its own, for crash tests and benchmarks where Herald runs as a
// child. Usage: node --import tsx cli.ts ['{"accounts":[…],"limits":{…}}']
// Prints one JSON line {"url","caFile","controlUrl"} once it listens; stops on SIGTERM/SIGINT.
import { z } from "zod";
import { startControlServer } from "./control-server.ts";
import { FAKE_X_ROUTES } from "./routes.ts";
import { startFakeX } from "./server.ts";

const optionsSchema = z.object({
  accounts: z
    .array(
      z.object({
        userId: z.string(),
        username: z.string(),
        accessToken: z.string(),
        name: z.string().optional(),
      }),
    )
    .optional(),
  limits: z
    .object({
      per15Minutes: z.partialRecord(z.enum(FAKE_X_ROUTES), z.number().int().nonnegative()),
      postsPer24Hours: z.number().int().nonnegative(),
    })
    .partial()
    .optional(),
});

const options = optionsSchema.parse(JSON.parse(process.argv[2] ?? "{}"));
const fake = await startFakeX(options);
const control = await startControlServer(fake);
process.stdout.write(
  `${JSON.stringify({ url: fake.url, caFile: fake.caFile, controlUrl: control.url })}\n`,
);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    // Closing both servers leaves nothing to wait for, so the process ends with code 0.
    void Promise.all([control.close(), fake.close()]);
  });
}
