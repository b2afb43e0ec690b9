// Declares the commands and maps errors to exit codes; each action loads its command module only when it runs,
// so `--help` pays for nothing but commander. Lazy loads are require(), not import(): in the bundle each command is
// its own CommonJS file, which import() would first lex whole for named exports (tens of ms).
import { Command, CommanderError, Option } from "commander";
import { errorKind, exitCodeFor, isSpecError } from "./errors.js";
import { type Settings, settingsFrom } from "./settings.js";

// The AWS SDK warns on every run under Node 20 that its 2027 releases need Node 22: a note for us, noise for users.
// A process-wide setting of the SDK, so it is made here, once, before any driver loads.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// A reader that stops early (`cloudlaunch compare spec.yaml | head`) closes the pipe: that is not an error, and the
// command goes on to finish what it was doing (an `up` half-way is never abandoned because nobody reads its output).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
  });
}

const program = new Command("cloudlaunch")
  .description("Launch a Dask cluster (a scheduler and N workers) on AWS, GCP or Azure from one YAML spec.")
  .version(require("../package.json").version, "-V, --version")
  .option("--json", "print one JSON document instead of tables")
  .showHelpAfterError("(run with --help for usage)")
  // Throw instead of exiting so bad usage maps to exit 2 below, like every other user error.
  .exitOverride();

const dryrun = new Option(
  "--dryrun",
  "run every check the command runs, show what would change, change nothing (checks permissions where credentials exist)",
);
const target = (cmd: Command) =>
  cmd
    .option("--spec <file>", "find the cluster's cloud from this spec instead of the local record")
    .addOption(new Option("--provider <name>", "cloud of the cluster").choices(["aws", "gcp", "azure"]))
    .option("--region <region>", "region (AWS/GCP) or location (Azure)")
    .option("--project <id>", "GCP project")
    .option("--resource-group <name>", "Azure resource group")
    .option("--subscription <id>", "Azure subscription id");

/** Each action gets its operands, its options, and the settings read from the environment once, here. */
const run =
  (load: () => Promise<(...args: never[]) => Promise<number | undefined>>) =>
  async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    const options = { ...program.opts(), ...cmd.opts() };
    const settings: Settings = settingsFrom(process.env);
    const action = await load();
    // A promise nothing will ever settle (a socket dropped under an SDK that then waits on nothing) lets Node exit
    // with code 0 as if the command had succeeded: it must fail loudly instead.
    const unfinished = () => {
      process.stderr.write(
        `cloudlaunch: ${cmd.name()} stopped before finishing (a cloud call was left without an answer); ` +
          "nothing is reported as done — run it again\n",
      );
      process.exitCode = 1;
    };
    process.once("beforeExit", unfinished);
    try {
      process.exitCode = (await action(...([...args.slice(0, -2), options, settings] as never[]))) ?? 0;
    } finally {
      process.off("beforeExit", unfinished);
    }
  };

program
  .command("up")
  .description("plan the spec and launch (or converge) the cluster; prints the Dask addresses")
  .argument("<spec>", "cluster spec (YAML)")
  .addOption(dryrun)
  .option("--increment", "launch a new cluster under the next free name when the spec's name is taken")
  .option("--terminate-surplus", "terminate workers beyond workers.count (otherwise they are listed and kept)")
  .option("--offline", "plan from the bundled catalog only, without calling the cloud (implies --dryrun)")
  .option("--no-wait", "return once the VMs run, without waiting for the scheduler and every worker to join Dask")
  .option(
    "--wait-timeout <duration>",
    "how long to wait for Dask, e.g. 90s, 15m (default 15m, or CLOUDLAUNCH_WAIT_TIMEOUT; 0 = do not wait)",
  )
  .action(run(async () => (require("./commands/up.js") as typeof import("./commands/up.js")).up));

program
  .command("compare")
  .description("plan the spec on every cloud and region of the bundled catalog, offline, cheapest first")
  .argument("<spec>", "cluster spec (YAML)")
  .option("--providers <list>", "only these clouds, comma-separated (aws,gcp,azure)")
  .option("--regions <list>", "only these regions/locations, comma-separated")
  .action(run(async () => (require("./commands/compare.js") as typeof import("./commands/compare.js")).compare));

target(
  program
    .command("status")
    .description("list cloudlaunch clusters, or the nodes of one cluster")
    .argument("[cluster]", "cluster name"),
).action(run(async () => (require("./commands/status.js") as typeof import("./commands/status.js")).status));

target(
  program
    .command("logs")
    .description(
      "print a node's boot (serial console) log through the cloud's API; every node's last lines without a node",
    )
    .argument("<cluster>", "cluster name")
    .argument("[node]", "node name (e.g. scheduler, worker-007 or demo-worker-007)")
    .option("--tail <lines>", "only the last N lines (default: the whole log for one node, 20 lines each for all)"),
).action(run(async () => (require("./commands/logs.js") as typeof import("./commands/logs.js")).logs));

target(
  program
    .command("ssh")
    .description("ssh into a node (the scheduler by default) as the spec's user; anything after -- runs there")
    .usage("<cluster> [node] [-- command...]")
    .argument("<cluster>", "cluster name")
    .argument("[node-and-command...]", "node name (e.g. worker-007), then -- and a command to run on it")
    .option("--print", "print the ssh command instead of running it"),
).action(run(async () => (require("./commands/ssh.js") as typeof import("./commands/ssh.js")).ssh));

const lifecycle = {
  stop: "stop the cluster or the named nodes (Azure: deallocate — a stopped-but-allocated Azure VM is still billed)",
  start: "start stopped nodes; prints their new public IPs (ephemeral IPs change on stop/start)",
  terminate: "terminate the cluster or the named nodes and delete what cloudlaunch created for them",
};
for (const [verb, summary] of Object.entries(lifecycle) as [keyof typeof lifecycle, string][]) {
  const cmd = target(
    program
      .command(verb)
      .description(summary)
      .argument("<cluster>", "cluster name")
      .argument("[nodes...]", "node names (e.g. worker-007 or demo-worker-007); all nodes when omitted")
      .addOption(dryrun),
  );
  if (verb === "terminate") cmd.option("-y, --yes", "do not ask for confirmation (required without a terminal)");
  cmd.action(
    run(async () => (require("./commands/lifecycle.js") as typeof import("./commands/lifecycle.js")).lifecycle(verb)),
  );
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // commander has already printed the message (or the help, or the version).
    process.exitCode = err.exitCode === 0 ? 0 : 2;
    return;
  }
  const code = exitCodeFor(err);
  if (code === undefined) {
    process.stderr.write(
      `cloudlaunch: unexpected error — please report it with the output below.\n${(err as Error)?.stack ?? err}\n`,
    );
    process.exitCode = 1;
    return;
  }
  const message = isSpecError(err) ? `invalid spec:\n${err.message}` : (err as Error).message;
  if (program.opts().json) process.stdout.write(`${JSON.stringify({ error: { kind: errorKind(err), message } })}\n`);
  process.stderr.write(`cloudlaunch: ${message}\n`);
  process.exitCode = code;
});
