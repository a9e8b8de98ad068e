import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

const repo = resolve(__dirname, "../..");

/** Where `make setup` puts the CLI; a pulumi elsewhere on PATH is used otherwise. */
const TOOLS_BIN = join(repo, ".tools", "pulumi", "bin");

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; resolves with its outcome whatever the exit code. */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`${file} ${args.join(" ")} could not run: ${error.message}\n${stderr}`));
          return;
        }
        resolvePromise({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * A Pulumi project in a temporary directory, with its own PULUMI_HOME and file:// state backend,
 * offline: the real CLI, nothing shared with the user's own Pulumi setup.
 */
export class PulumiWorkspace {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), `pulumi-ims-${prefix}-`));
    const state = join(this.dir, ".pulumi-state");
    mkdirSync(join(state, "backend"), { recursive: true });
    this.env = {
      ...process.env,
      PATH: [TOOLS_BIN, process.env.PATH ?? ""].join(delimiter),
      PULUMI_HOME: join(state, "home"),
      PULUMI_BACKEND_URL: `file://${join(state, "backend")}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_CREDENTIAL_STORE: "plaintext",
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
  }

  write(file: string, content: string): void {
    const path = join(this.dir, file);
    mkdirSync(resolve(path, ".."), { recursive: true });
    writeFileSync(path, content);
  }

  /**
   * Every `pulumi` command run so far and its whole output (stdout and stderr), so that a test can
   * check what the CLI showed (e.g. that no credential ever appeared).
   */
  readonly transcript: { args: readonly string[]; code: number; stdout: string; stderr: string }[] = [];

  /** Runs `pulumi <args>` in the project; throws with the whole output when it fails. */
  async pulumi(args: readonly string[], options: PulumiRunOptions = {}): Promise<string> {
    const result = await this.pulumiResult(args, options);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  }

  /** Runs `pulumi <args>` in the project and returns its outcome, failed or not. */
  async pulumiResult(args: readonly string[], options: PulumiRunOptions = {}): Promise<CommandResult> {
    const env = { ...this.env };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const result = await run("pulumi", [...args, "--non-interactive"], { cwd: this.dir, env });
    this.transcript.push({ args, ...result });
    return result;
  }

  /** Runs `npm <args>` in the project; throws with the output when it fails. */
  async npm(args: readonly string[]): Promise<void> {
    const result = await run("npm", args, { cwd: this.dir, env: this.env });
    if (result.code !== 0) throw new Error(`npm ${args.join(" ")} failed\n${result.stdout}\n${result.stderr}`);
  }

  /** The stack's checkpoint, as `pulumi stack export` gives it (of `stack`, default the selected one). */
  async exportStack(stack?: string): Promise<{ deployment: { resources?: StateResource[] } }> {
    return JSON.parse(await this.pulumi(["stack", "export", ...(stack ? ["--stack", stack] : [])]));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface PulumiRunOptions {
  /** Environment variables for this command only; undefined removes one. */
  env?: Record<string, string | undefined>;
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  /** Why the last create or update of the resource failed although it exists (a partial failure). */
  initErrors?: string[];
}

/**
 * Fails with a clear message when the Pulumi CLI is missing: end-to-end tests never skip.
 */
export async function assertPulumiCli(): Promise<string> {
  const env = { ...process.env, PATH: [TOOLS_BIN, process.env.PATH ?? ""].join(delimiter) };
  try {
    const result = await run("pulumi", ["version"], { cwd: repo, env, timeoutMs: 30_000 });
    if (result.code === 0) return result.stdout.trim();
  } catch {
    // Reported below.
  }
  throw new Error("The Pulumi CLI is not installed: run `make setup` (or `make test`), which builds it.");
}

/**
 * Packs this repository as npm would publish it and returns the tarball. dist/ must be built (make
 * test builds it): the package's own prepack build is skipped here, so that test files packing at
 * the same time do not build over each other (test/e2e/install.test.ts takes the user's whole path).
 */
export async function packPackage(destination: string): Promise<string> {
  const result = await run("npm", ["pack", "--ignore-scripts", "--pack-destination", destination, "--json"], {
    cwd: repo,
    env: process.env,
  });
  if (result.code !== 0) throw new Error(`npm pack failed\n${result.stdout}\n${result.stderr}`);
  const [{ filename }] = JSON.parse(result.stdout) as [{ filename: string }];
  return join(destination, filename);
}

/**
 * Makes `ws` a Pulumi project named `name` running `program` (TypeScript, or JavaScript with
 * `javascript`), with pulumi-ims installed from the tarball `npm pack` makes of this repository, as
 * a user installs it.
 */
export async function installPackedProject(ws: PulumiWorkspace, name: string, program: string, options: { javascript?: boolean } = {}): Promise<void> {
  await assertPulumiCli();
  const tarball = await packPackage(ws.dir);
  const pulumiVersion = (JSON.parse(readFileSync(join(repo, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
  const dependencies = { "@pulumi/pulumi": pulumiVersion, "pulumi-ims": `file:${tarball}` };
  if (options.javascript) {
    ws.write("package.json", JSON.stringify({ name, private: true, dependencies }));
    ws.write("Pulumi.yaml", `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n`);
    ws.write("index.js", program);
  } else {
    ws.write(
      "package.json",
      JSON.stringify({ name, private: true, dependencies, devDependencies: { typescript: "~5.9.3", "ts-node": "^10.9.2", "@types/node": "^24.0.0" } }),
    );
    ws.write("Pulumi.yaml", `name: ${name}\nruntime: nodejs\n`);
    ws.write("tsconfig.json", JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "nodenext", moduleResolution: "nodenext" } }));
    ws.write("index.ts", program);
  }
  await ws.npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]);
}

/**
 * Makes `stack` a stack of `ws` that runs against ims-emulator at `url` (`ims:region`, `ims:endpoint` and
 * `ims:authUrl` set), and returns the environment that gives its commands the AK/SK `key`.
 */
export async function initEmulatorStack(
  ws: PulumiWorkspace,
  stack: string,
  url: string,
  key: { access: string; secret: string },
  region = "ap-southeast-1",
): Promise<Record<string, string>> {
  await ws.pulumi(["stack", "init", stack]);
  for (const [k, v] of [
    ["ims:region", region],
    ["ims:endpoint", url],
    ["ims:authUrl", `${url}/v3`],
  ]) {
    await ws.pulumi(["config", "set", k, v, "--stack", stack]);
  }
  return { HW_ACCESS_KEY: key.access, HW_SECRET_KEY: key.secret };
}

/** The `[diff: …]` of a resource's line in the CLI's output that names `verb` ("updated", "replaced"…). */
export function diffOf(output: string, resource: string, verb: string): string | undefined {
  const line = output.split("\n").find((l) => new RegExp(`\\s${resource}\\s+${verb}\\b`).test(l));
  if (line === undefined) return undefined;
  return /\[diff: ([^\]]*)\]/.exec(line)?.[1] ?? "";
}

/** The processes of a session (Linux /proc): a command started detached, and all it started. */
function sessionMembers(sid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "pid (comm) ": state, ppid, pgrp, session, …
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[3]) === sid) members.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return members;
}

/** A `pulumi` command running in its own session, which can be killed whole, as a lost CI runner is. */
export interface RunningCommand {
  /** Resolves when the command ends (killed or not). */
  done: Promise<CommandResult>;
  /** SIGKILL to the CLI and every process it started (language host, program, providers). */
  killAll(): Promise<void>;
}

/** Starts `pulumi <args>` in `ws` in a session of its own. */
export function startPulumi(ws: PulumiWorkspace, args: readonly string[], env: Record<string, string | undefined> = {}): RunningCommand {
  const merged = { ...ws.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: ws.dir, env: merged, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CommandResult>((resolvePromise) =>
    child.on("close", (code, signal) => resolvePromise({ code: code ?? (signal ? 137 : 1), stdout, stderr })),
  );
  void done.then((result) => ws.transcript.push({ args, ...result }));
  const sid = child.pid!;
  return {
    done,
    async killAll() {
      for (let round = 0; round < 50; round++) {
        const members = sessionMembers(sid);
        if (members.length === 0) return;
        for (const pid of members) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // Already gone.
          }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`processes of session ${sid} survive SIGKILL`);
    },
  };
}
