/**
 * ims-emulator as its own process (the built CLI), on a fixed port with a state file, so that a
 * test can kill it with SIGKILL mid-run and start it again where it was.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { WorldState } from "../../emulator/domain/model";

const cli = resolve(__dirname, "../../dist/emulator/cli.js");

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export class EmulatorProcess {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly stateFile: string,
    private readonly args: string[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the emulator with its state in `dir`. */
  static async start(dir: string, args: string[] = []): Promise<EmulatorProcess> {
    const emulator = new EmulatorProcess(await freePort(), join(dir, "emulator-state.json"), args);
    await emulator.launch();
    return emulator;
  }

  private async launch(): Promise<void> {
    const child = spawn(process.execPath, [cli, "--port", String(this.port), "--state-file", this.stateFile, ...this.args], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let output = "";
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`ims-emulator did not start:\n${output}`)), 15_000);
      const look = (d: Buffer) => {
        output += d.toString();
        if (output.includes("listening on")) {
          clearTimeout(timer);
          ready();
        }
      };
      child.stdout!.on("data", look);
      child.stderr!.on("data", look);
      child.on("exit", (code) => {
        clearTimeout(timer);
        fail(new Error(`ims-emulator exited with ${code}:\n${output}`));
      });
    });
  }

  /** SIGKILL: the process dies at once, as a crashed host would; its state file stays. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    this.child = undefined;
  }

  /** Starts it again on the same port, from its state file. */
  restart(): Promise<void> {
    return this.launch();
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.url), {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } } : {}),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  state(): Promise<WorldState> {
    return this.request<WorldState>("GET", "/_emulator/state");
  }

  /** Requests served since the last reset of the metrics, for one method and route (any status). */
  async requestsTo(method: string, route: string): Promise<number> {
    const m = await this.request<{ routes: { method: string; route: string; count: number }[] }>("GET", "/_emulator/metrics");
    return m.routes.filter((r) => r.method === method && r.route === route).reduce((n, r) => n + r.count, 0);
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}
