// A throwaway network + PID namespace for the live Dask test: only a loopback interface, so the scheduler can
// bind 8786/8787 as on a VM without touching the host's ports or any other address. It has its own /proc (psutil,
// which Dask uses, reads /proc/<pid> with the namespace's pids). Every process started in it
// dies with it: when a PID namespace's init exits the kernel kills the rest, and init itself exits after
// MAX_LIFETIME_S even if the test runner dies without cleaning up.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { SYSTEM_PATH } from "./tools.js";

const MAX_LIFETIME_S = 900;

export interface Started {
  proc: ChildProcess;
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the combined output matches, rejects on exit or after timeoutMs. */
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<void>;
}

export class Namespace {
  private constructor(
    private readonly holder: ChildProcess,
    readonly initPid: number,
  ) {}

  static async create(): Promise<Namespace> {
    const holder = spawn(
      "unshare",
      [
        "--net",
        "--pid",
        "--mount-proc",
        "--fork",
        "--kill-child",
        "bash",
        "-c",
        `ip link set lo up && echo ready && exec sleep ${MAX_LIFETIME_S}`,
      ],
      {
        env: { PATH: SYSTEM_PATH },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      await watch(holder).waitFor(/ready/, 10_000);
      const children = readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, "utf8").trim().split(/\s+/);
      return new Namespace(holder, Number(children[0]));
    } catch (err) {
      holder.kill("SIGKILL");
      throw err;
    }
  }

  /** Runs a command inside the namespace, in its own process group. */
  start(command: string[], env: NodeJS.ProcessEnv): Started {
    const proc = spawn("nsenter", ["--target", String(this.initPid), "--net", "--pid", "--mount", "--", ...command], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    return watch(proc);
  }

  /** Runs a command inside the namespace to completion (bounded), returning its exit status and output. */
  async run(
    command: string[],
    env: NodeJS.ProcessEnv,
    timeoutMs: number,
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const proc = spawn("nsenter", ["--target", String(this.initPid), "--net", "--pid", "--mount", "--", ...command], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    const status = await new Promise<number | null>((resolve) => proc.on("close", resolve));
    clearTimeout(timer);
    return { status, stdout, stderr };
  }

  /** Kills init, which takes every process of the namespace with it. */
  destroy(): void {
    for (const pid of [this.initPid, this.holder.pid]) {
      try {
        if (pid) process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

function watch(proc: ChildProcess): Started {
  let text = "";
  const separate = { stdout: "", stderr: "" };
  const listeners = new Set<() => void>();
  const onData = (stream: "stdout" | "stderr") => (d: Buffer) => {
    text += d.toString();
    separate[stream] += d.toString();
    for (const l of listeners) l();
  };
  proc.stdout?.on("data", onData("stdout"));
  proc.stderr?.on("data", onData("stderr"));
  let exited = false;
  proc.on("exit", () => {
    exited = true;
    for (const l of listeners) l();
  });
  return {
    proc,
    output: () => text,
    stdout: () => separate.stdout,
    stderr: () => separate.stderr,
    waitFor: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) done(resolve);
          else if (exited) done(() => reject(new Error(`exited before ${pattern}:\n${text}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      }),
  };
}
