/**
 * A `pulumi` command run with its processes watched (Linux /proc): every `intervalMs`, the peak
 * resident memory (`VmHWM`) of each process it started whose command line a predicate picks, e.g.
 * the Node process of the dynamic provider.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { PulumiWorkspace } from "../../test/helpers/pulumi-cli";

export interface SampledRun {
  ms: number;
  stdout: string;
  /** The largest VmHWM seen of a picked process, in bytes (0: none was seen). */
  peakRssBytes: number;
  /** The largest RssAnon sampled of a picked process (its heaps and stacks, not mapped files), in bytes. */
  peakAnonBytes: number;
  /** How many picked processes were seen. */
  processes: number;
}

/** The command line of every process that descends from `root` (not `root` itself). */
function descendants(root: number): Map<number, string> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "pid (comm) ": state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // Gone meanwhile.
    }
  }
  const found = new Map<number, string>();
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    try {
      found.set(pid, readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim());
    } catch {
      continue;
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** VmHWM and RssAnon of `pid` in bytes, or undefined when it is gone. */
function memory(pid: number): { hwm: number; anon: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { hwm: kb("VmHWM"), anon: kb("RssAnon") };
  } catch {
    return undefined;
  }
}

/**
 * Runs `pulumi <args>` in `ws` (with `env` for this command only), sampling the processes it
 * starts whose command line `pick` accepts; throws with the whole output when the command fails.
 * A process's VmHWM only grows, so the last sample before it ends is its peak within `intervalMs`.
 */
export function runPulumiSampled(
  ws: PulumiWorkspace,
  args: readonly string[],
  env: Record<string, string>,
  pick: (cmdline: string) => boolean,
  intervalMs = 100,
): Promise<SampledRun> {
  const start = process.hrtime.bigint();
  const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: ws.dir, env: { ...ws.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const peaks = new Map<number, number>();
  let peakAnon = 0;
  const sample = () => {
    if (child.pid === undefined) return;
    for (const [pid, cmdline] of descendants(child.pid)) {
      if (!pick(cmdline)) continue;
      const sampled = memory(pid);
      if (sampled === undefined) continue;
      peaks.set(pid, Math.max(peaks.get(pid) ?? 0, sampled.hwm));
      peakAnon = Math.max(peakAnon, sampled.anon);
    }
  };
  const timer = setInterval(sample, intervalMs);
  return new Promise((resolvePromise, reject) => {
    child.on("error", (e) => {
      clearInterval(timer);
      reject(new Error(`pulumi ${args.join(" ")} could not run: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) {
        reject(new Error(`pulumi ${args.join(" ")} exited with ${code ?? signal}\n${stdout}\n${stderr}`));
        return;
      }
      resolvePromise({ ms, stdout, peakRssBytes: Math.max(0, ...peaks.values()), peakAnonBytes: peakAnon, processes: peaks.size });
    });
  });
}
