// npm run fake-cloud -- <aws|gcp|azure> [--port N] [--latency MS] [--transition MS]
// Runs one fake cloud on 127.0.0.1 until interrupted and prints the environment that points cloudlaunch at it.
import { FAKES } from "./index.js";
import type { ProviderName } from "../../src/spec/schema.js";

async function main() {
  const [provider, ...rest] = process.argv.slice(2);
  if (!provider || !(provider in FAKES)) {
    process.stderr.write("usage: npm run fake-cloud -- <aws|gcp|azure> [--port N] [--latency MS] [--transition MS]\n");
    process.exit(2);
  }
  const flag = (name: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? Number(rest[i + 1]) : undefined;
  };
  const start = await FAKES[provider as ProviderName]();
  const fake = await start({
    port: flag("port"),
    latencyMs: flag("latency"),
    transitionMs: flag("transition") ?? 2000,
  });
  const lines = Object.entries(fake.env).map(([k, v]) => `export ${k}='${v}'`);
  process.stdout.write(
    `# fake ${provider} listening on ${fake.url} — paste into your shell:\n${lines.join("\n")}\n` +
      `# spec values that exist in the fake: region ${fake.spec.region}, zones ${fake.spec.zones.join(", ")}, subnet ${fake.spec.subnet}` +
      `${Object.keys(fake.spec.extra).length ? `, ${JSON.stringify(fake.spec.extra)}` : ""}\n# Ctrl-C to stop.\n`,
  );
  const stop = () => fake.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();
