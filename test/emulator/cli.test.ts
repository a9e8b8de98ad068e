/**
 * The ims-emulator command line, as built into dist/ (`make test` builds first): the server
 * start-up banner and the admin subcommands against a running emulator.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { signForTest } from "../helpers/emulator";

const CLI = resolve(__dirname, "../../dist/emulator/cli.js");

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI to completion. */
function run(...args: string[]): Promise<Run> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [CLI, ...args], { encoding: "buffer", timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolvePromise({ code, stdout, stderr: stderr.toString() });
    });
  });
}

/** Runs an admin subcommand against the emulator and parses its JSON output. */
async function admin<T = Record<string, unknown>>(url: string, ...args: string[]): Promise<T> {
  const res = await run(...args, "--url", url);
  if (res.code !== 0) throw new Error(`ims-emulator ${args.join(" ")} exited ${res.code}: ${res.stderr}`);
  return JSON.parse(res.stdout.toString()) as T;
}

interface Banner {
  endpoint: string;
  user: string;
  password: string;
  domain: string;
  access: string;
  secret: string;
  projects: string[];
}

function parseBanner(text: string): Banner {
  const endpoint = /^ims-emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(text);
  const user = /^ {2}user: +(\S+) \/ (\S+) \(domain (\S+)\)$/m.exec(text);
  const keys = /HW_ACCESS_KEY=(\S+) HW_SECRET_KEY=(\S+)/.exec(text);
  if (!endpoint || !user || !keys) throw new Error(`unexpected banner:\n${text}`);
  const projects = [...text.matchAll(/^ {4}(\S+) +[0-9a-f]{32} +AK /gm)].map((m) => m[1]);
  return { endpoint: endpoint[1], user: user[1], password: user[2], domain: user[3], access: keys[1], secret: keys[2], projects };
}

describe("ims-emulator CLI", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  let startupMs = 0;
  let banner: Banner;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.build.json, or make test)`);
    dir = mkdtempSync(join(tmpdir(), "ims-emulator-cli-"));
    const started = performance.now();
    const proc = spawn(process.execPath, [CLI, "--port", "0"], { stdio: ["pipe", "pipe", "pipe"] });
    child = proc;
    const text = await new Promise<string>((resolvePromise, reject) => {
      let out = "";
      let err = "";
      proc.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("pulumi config set ims:endpoint")) resolvePromise(out);
      });
      proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
      proc.on("exit", (code) => reject(new Error(`ims-emulator exited with ${code} before it was ready: ${err}`)));
      const timer = setTimeout(() => reject(new Error(`no banner after 10 s; stdout so far:\n${out}`)), 10_000);
      proc.stdout.on("data", () => {
        if (out.includes("pulumi config set ims:endpoint")) clearTimeout(timer);
      });
    });
    startupMs = performance.now() - started;
    banner = parseBanner(text);
    url = banner.endpoint;
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("starts on --port 0 and prints its endpoint and credentials within 2 s", () => {
    process.stdout.write(`ims-emulator printed its banner ${Math.round(startupMs)} ms after spawn\n`);
    expect(startupMs).toBeLessThan(2000);
    expect(banner.user).toBe("ims-user");
    expect(banner.password).toBe("ims-emulator-password");
    expect(banner.domain).toBe("ims-emulator");
    expect(banner.projects).toEqual(["ap-southeast-1", "ap-southeast-1_analytics", "ap-southeast-3"]);
    expect(banner.access).toMatch(/^[A-Z0-9]{20}$/);
  });

  it("the printed endpoint issues tokens for the printed user and password", async () => {
    const res = await fetch(`${url}/v3/auth/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        auth: {
          identity: { methods: ["password"], password: { user: { name: banner.user, password: banner.password, domain: { name: banner.domain } } } },
          scope: { project: { name: banner.projects[0] } },
        },
      }),
    });
    expect(res.status).toBe(201);
    const token = res.headers.get("x-subject-token");
    expect(token).toMatch(/^MII/);
    const body = (await res.json()) as { token: { project: { name: string }; catalog: { type: string; endpoints: { url: string }[] }[] } };
    expect(body.token.project.name).toBe("ap-southeast-1");
    expect(body.token.catalog.find((c) => c.type === "image")?.endpoints[0].url).toBe(url);

    const images = await fetch(`${url}/v2/cloudimages?__imagetype=gold`, { headers: { "X-Auth-Token": token! } });
    expect(images.status).toBe(200);
    expect(((await images.json()) as { images: unknown[] }).images).toHaveLength(2);

    // The printed AK/SK pair signs requests too.
    const quotaUrl = new URL("/v1/cloudimages/quota", url);
    const headers = signForTest("GET", quotaUrl, { "X-Sdk-Date": new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "") }, Buffer.alloc(0), banner.access, banner.secret);
    expect((await fetch(quotaUrl, { headers })).status).toBe(200);
  });

  it("world shows the endpoint, users and keys", async () => {
    const world = await admin<{ endpoint: string; users: { name: string; password: string }[]; accessKeys: { access: string; secret: string }[] }>(url, "world");
    expect(world.endpoint).toBe(url);
    expect(world.users).toEqual([expect.objectContaining({ name: "ims-user", password: "ims-emulator-password" })]);
    expect(world.accessKeys[0]).toMatchObject({ access: banner.access, secret: banner.secret });
  });

  it("fault add, fault list and fault clear drive the fault rules", async () => {
    const rule = await admin<{ id: number; status: number; route: string }>(
      url,
      "fault",
      "add",
      JSON.stringify({ route: "/v2/schemas/image", method: "GET", status: 503, errorCode: "APIGW.0613", message: "The IAM service is currently unavailable." }),
    );
    expect(rule).toMatchObject({ route: "/v2/schemas/image", method: "GET", status: 503, hits: 0 });
    expect(typeof rule.id).toBe("number");

    const failing = await fetch(`${url}/v2/schemas/image`);
    expect(failing.status).toBe(503);
    expect(await failing.json()).toEqual({ error_code: "APIGW.0613", error_msg: "The IAM service is currently unavailable.", request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const list = await admin<{ faults: { id: number; hits: number }[] }>(url, "fault", "list");
    expect(list.faults).toEqual([expect.objectContaining({ id: rule.id, hits: 1 })]);

    const cleared = await run("fault", "clear", "--url", url);
    expect(cleared.code).toBe(0);
    expect((await admin<{ faults: unknown[] }>(url, "fault", "list")).faults).toEqual([]);
    expect((await fetch(`${url}/v2/schemas/image`)).status).toBe(200);

    const bad = await run("fault", "add", "{not json", "--url", url);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("not JSON");
  });

  it("clock pause freezes the job clock", async () => {
    const paused = await admin<{ paused: boolean; now: number }>(url, "clock", "pause");
    expect(paused.paused).toBe(true);
    const shown = await admin<{ paused: boolean; now: number }>(url, "clock");
    expect(shown).toMatchObject({ paused: true, now: paused.now });
    const resumed = await admin<{ paused: boolean }>(url, "clock", "resume");
    expect(resumed.paused).toBe(false);
  });

  it("metrics shows the requests seen so far", async () => {
    await fetch(`${url}/v2/schemas/member`);
    const metrics = await admin<{ tokenIssuances: number; routes: { method: string; route: string; status: number; count: number }[] }>(url, "metrics");
    expect(metrics.tokenIssuances).toBeGreaterThanOrEqual(1);
    expect(metrics.routes).toEqual(expect.arrayContaining([expect.objectContaining({ method: "GET", route: "/v2/schemas/member", status: 200, count: 1 })]));
    expect(metrics.routes).toEqual(expect.arrayContaining([expect.objectContaining({ method: "GET", route: "/v2/schemas/image", status: 503, count: 1 })]));
  });

  it("agency add and agency remove manage the IAM agencies cross-region copies name", async () => {
    const names = async () => (await admin<{ agencies: { name: string }[] }>(url, "world")).agencies.map((a) => a.name);
    expect(await names()).toEqual(["ims_admin_agency"]);
    expect(await admin(url, "agency", "add", "cli_agency")).toMatchObject({ name: "cli_agency" });
    expect(await names()).toEqual(["ims_admin_agency", "cli_agency"]);

    const removed = await run("agency", "remove", "cli_agency", "--url", url);
    expect(removed.code).toBe(0);
    expect(await names()).toEqual(["ims_admin_agency"]);
    const again = await run("agency", "remove", "cli_agency", "--url", url);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("404");
    const usage = await run("agency", "list", "--url", url);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("agency takes add <name> or remove <name>");
  });

  it("put-object and get-object round-trip a file, also under a key with spaces and #", async () => {
    const bytes = makeQcow2(8, 32 * 1024);
    bytes.write("cli object body", 8192);
    const file = join(dir, "disk.qcow2");
    writeFileSync(file, bytes);
    const md5 = createHash("md5").update(bytes).digest("hex");

    for (const key of ["uploads/disk.qcow2", "uploads/my disk #1.qcow2"]) {
      const put = await admin(url, "put-object", "cli-bucket", key, file);
      expect(put).toEqual({ url: `cli-bucket:${key}`, size: bytes.length, md5, format: "qcow2" });

      const out = join(dir, "copy.qcow2");
      const saved = await run("get-object", "cli-bucket", key, "--out", out, "--url", url);
      expect(saved.code).toBe(0);
      expect(readFileSync(out).equals(bytes)).toBe(true);
      rmSync(out);

      const printed = await run("get-object", "cli-bucket", key, "--url", url);
      expect(printed.code).toBe(0);
      expect(printed.stdout.equals(bytes)).toBe(true);
    }

    // An empty object is an empty file.
    const empty = join(dir, "empty.raw");
    writeFileSync(empty, "");
    expect(await admin(url, "put-object", "cli-bucket", "empty.raw", empty)).toMatchObject({ url: "cli-bucket:empty.raw", size: 0 });
    const emptyOut = join(dir, "empty-copy.raw");
    const savedEmpty = await run("get-object", "cli-bucket", "empty.raw", "--out", emptyOut, "--url", url);
    expect(savedEmpty.code).toBe(0);
    expect(readFileSync(emptyOut).length).toBe(0);

    const missing = await run("get-object", "cli-bucket", "nothing.qcow2", "--url", url);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("404");
  });

  it("an unknown command exits with 2 and prints the usage", async () => {
    const res = await run("frobnicate", "--url", url);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("unknown command frobnicate");
    expect(res.stderr).toContain("Usage:");
    expect(res.stdout.length).toBe(0);
  });

  it("--help exits 0 and prints the usage", async () => {
    const res = await run("--help");
    expect(res.code).toBe(0);
    const text = res.stdout.toString();
    expect(text).toMatch(/^Usage:/);
    for (const command of ["world", "agency add|remove", "fault add", "clock [pause|resume", "metrics", "put-object", "get-object"]) expect(text).toContain(command);
    expect(res.stderr).toBe("");
  });
});
