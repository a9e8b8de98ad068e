/**
 * The ims-emulator command line, as built into dist/ (`make test` builds first): the server
 * start-up banner and the admin subcommands against a running emulator.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { signForTest } from "../helpers/emulator";
import { freePort } from "../helpers/emulator-process";
import { makeTestCertificate, type TestCertificate } from "../helpers/tls";

const CLI = resolve(__dirname, "../../dist/emulator/cli.js");

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI to completion, with these variables added to (or, when undefined, removed from) its environment. */
function runWith(env: Record<string, string | undefined>, ...args: string[]): Promise<Run> {
  return new Promise((resolvePromise) => {
    const options = { encoding: "buffer" as const, timeout: 10_000, env: { ...process.env, ...env } };
    execFile(process.execPath, [CLI, ...args], options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolvePromise({ code, stdout, stderr: stderr.toString() });
    });
  });
}

/** Runs the CLI to completion, without IMS_EMULATOR_URL or NODE_EXTRA_CA_CERTS from the test's environment. */
const run = (...args: string[]): Promise<Run> => runWith({ IMS_EMULATOR_URL: undefined, NODE_EXTRA_CA_CERTS: undefined }, ...args);

/** Runs an admin subcommand against the emulator and parses its JSON output. */
async function admin<T = Record<string, unknown>>(url: string, ...args: string[]): Promise<T> {
  const res = await run(...args, "--url", url);
  if (res.code !== 0) throw new Error(`ims-emulator ${args.join(" ")} exited ${res.code}: ${res.stderr}`);
  return JSON.parse(res.stdout.toString()) as T;
}

/** `world --url` with the wrong scheme for the emulator there: exit 1, the URL, and the scheme to use. */
async function expectSchemeHint(wrongUrl: string, hint: string): Promise<void> {
  const res = await run("world", "--url", wrongUrl);
  expect(res.code).toBe(1);
  expect(res.stderr).toContain(`ims-emulator: cannot talk to ims-emulator at ${wrongUrl} (given by --url): `);
  expect(res.stderr).toContain(`${hint}\n`);
}

/** Asks IAM for a token of the banner's user, scoped to its first project. */
function tokenRequest(url: string, banner: Banner): Promise<globalThis.Response> {
  return fetch(`${url}/v3/auth/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: banner.user, password: banner.password, domain: { name: banner.domain } } } },
        scope: { project: { name: banner.projects[0] } },
      },
    }),
  });
}

/** A token of the banner's user for its first project. */
async function tokenOf(url: string, banner: Banner): Promise<string> {
  const res = await tokenRequest(url, banner);
  if (res.status !== 201) throw new Error(`no token: ${res.status} ${await res.text()}`);
  return res.headers.get("x-subject-token")!;
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
  const endpoint = /^ims-emulator listening on (https?:\/\/127\.0\.0\.1:\d+)$/m.exec(text);
  const user = /^ {2}user: +(\S+) \/ (\S+) \(domain (\S+)\)$/m.exec(text);
  const keys = /HW_ACCESS_KEY=(\S+) HW_SECRET_KEY=(\S+)/.exec(text);
  if (!endpoint || !user || !keys) throw new Error(`unexpected banner:\n${text}`);
  const projects = [...text.matchAll(/^ {4}(\S+) +[0-9a-f]{32} +AK /gm)].map((m) => m[1]);
  return { endpoint: endpoint[1], user: user[1], password: user[2], domain: user[3], access: keys[1], secret: keys[2], projects };
}

interface Started {
  child: ChildProcessWithoutNullStreams;
  /** Everything it printed until its banner was complete. */
  text: string;
  startupMs: number;
}

/** Starts an emulator with the CLI and waits for its whole banner. */
async function startCli(args: string[]): Promise<Started> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.build.json, or make test)`);
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const text = await new Promise<string>((resolvePromise, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no banner after 10 s; stdout so far:\n${out}`)), 10_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("pulumi config set ims:endpoint")) return;
      clearTimeout(timer);
      resolvePromise(out);
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`ims-emulator exited with ${code} before it was ready: ${err}`));
    });
  });
  return { child, text, startupMs: performance.now() - started };
}

async function stopCli(child: ChildProcessWithoutNullStreams | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

describe("ims-emulator CLI", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  let startupMs = 0;
  let banner: Banner;
  let bannerText: string;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ims-emulator-cli-"));
    const started = await startCli(["--port", "0"]);
    child = started.child;
    startupMs = started.startupMs;
    banner = parseBanner(started.text);
    bannerText = started.text;
    url = banner.endpoint;
  });

  afterAll(async () => {
    await stopCli(child);
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
    const res = await tokenRequest(url, banner);
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

  it("rate-limit shows, sets and removes the rate limit per project", async () => {
    expect(await admin(url, "rate-limit")).toEqual({ requestsPerSecond: null });
    const headers = { "X-Auth-Token": await tokenOf(url, banner) };
    const images = () => fetch(`${url}/v2/cloudimages?__imagetype=gold`, { headers });

    // One request every 1000 s: the second of a burst is refused.
    expect(await admin(url, "rate-limit", "0.001")).toEqual({ requestsPerSecond: 0.001, retryAfter: true });
    expect((await images()).status).toBe(200);
    const refused = await images();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1000");
    expect(((await refused.json()) as { error_code: string }).error_code).toBe("APIGW.0308");

    expect(await admin(url, "rate-limit", "0.001", "--no-retry-after")).toEqual({ requestsPerSecond: 0.001, retryAfter: false });
    expect((await images()).status).toBe(200);
    const bare = await images();
    expect(bare.status).toBe(429);
    expect(bare.headers.get("retry-after")).toBeNull();

    const off = await run("rate-limit", "off", "--url", url);
    expect(off).toMatchObject({ code: 0, stderr: "" });
    expect(await admin(url, "rate-limit")).toEqual({ requestsPerSecond: null });
    expect((await Promise.all([images(), images(), images()])).map((r) => r.status)).toEqual([200, 200, 200]);
    const metrics = await admin<{ throttled: { total: number } }>(url, "metrics");
    expect(metrics.throttled.total).toBe(2);
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
    // The method and path, the URL and where it came from, the status and the body.
    expect(again.stderr).toBe(
      `ims-emulator: DELETE /_emulator/agencies/cli_agency at ${url} (given by --url) answered HTTP 404 Not Found: ` +
        `{"error":{"code":"EMULATOR.NOT_FOUND","message":"No agency cli_agency."}}\n`,
    );
    const usage = await run("agency", "list", "--url", url);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("agency takes add <name> or remove <name>");
  });

  it("the banner names the account's enterprise projects, the default one 0 first", () => {
    expect(bannerText).toMatch(/^ {2}enterprise projects: default 0, platform-team [0-9a-f]{8}-[0-9a-f-]{27} \(enterprise_project_id\)$/m);
  });

  it("eps add and eps remove manage the account's enterprise projects", async () => {
    const listed = async () => (await admin<{ enterpriseProjects: { id: string; name: string }[] }>(url, "world")).enterpriseProjects.map((e) => `${e.name} ${e.id}`);
    const initial = await listed();
    expect(initial[0]).toBe("default 0");
    expect(initial).toContainEqual(expect.stringMatching(/^platform-team [0-9a-f-]{36}$/));

    // Without an id, a new UUID; with one, that id.
    const made = await admin<{ id: string; name: string }>(url, "eps", "add", "cli-team");
    expect(made).toMatchObject({ name: "cli-team", id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
    const pinned = "3c9d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f";
    expect(await admin(url, "eps", "add", "pinned-team", pinned)).toMatchObject({ name: "pinned-team", id: pinned });
    expect(await listed()).toEqual([...initial, `cli-team ${made.id}`, `pinned-team ${pinned}`]);

    for (const id of [made.id, pinned]) expect((await run("eps", "remove", id, "--url", url)).code).toBe(0);
    expect(await listed()).toEqual(initial);
    const again = await run("eps", "remove", pinned, "--url", url);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`answered HTTP 404 Not Found: {"error":{"code":"EMULATOR.NOT_FOUND","message":"No enterprise project ${pinned}."}}`);
    const usage = await run("eps", "list", "--url", url);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("eps takes add <name> [<id>] or remove <id>");
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
    for (const option of ["--tls-cert cert.pem --tls-key key.pem", "--version"]) expect(text).toContain(option);
    expect(res.stderr).toBe("");
    expect((await run("-h")).stdout.toString()).toBe(text);
  });

  it("--version prints the version of the pulumi-ims package", async () => {
    const { version } = JSON.parse(readFileSync(resolve(__dirname, "../../package.json"), "utf8")) as { version: string };
    const res = await run("--version");
    expect(res).toMatchObject({ code: 0, stderr: "" });
    expect(res.stdout.toString()).toBe(`ims-emulator ${version}\n`);
  });

  it("options take their value as --name value or --name=value, anywhere on the line", async () => {
    const spaced = await admin<{ endpoint: string }>(url, "world");
    const joined = await run(`--url=${url}`, "world");
    expect(joined.code).toBe(0);
    expect(JSON.parse(joined.stdout.toString())).toEqual(spaced);

    await fetch(`${url}/v2/schemas/members`);
    const routes = async () => (await admin<{ routes: { route: string }[] }>(url, "metrics")).routes.map((r) => r.route);
    expect(await routes()).toContain("/v2/schemas/members");
    expect((await run("metrics", "--reset", "--url", url)).code).toBe(0);
    expect(await routes()).not.toContain("/v2/schemas/members");
  });

  it.each([
    [["--frob"], "unknown option --frob"],
    [["world", "--frob", "--url", "http://127.0.0.1:1"], "unknown option --frob"],
    [["-x"], "unknown option -x"],
    [["--port"], "--port needs a value"],
    [["--port", "--host", "127.0.0.1"], "--port needs a value"],
    [["world", "--url"], "--url needs a value"],
    [["--reset=yes"], "Option '--reset' does not take an argument"],
    [["--port", "70000"], "--port must be a number from 0 to 65535, got 70000"],
    [["--port", "1.5"], "--port must be a whole number, got 1.5"],
    [["--port", ""], "--port must be a number from 0 to 65535, got "],
    [["--clock-offset", "1.5"], "--clock-offset takes whole seconds"],
    [["--tls-cert", "cert.pem"], "--tls-cert and --tls-key go together"],
    [["--url", "http://127.0.0.1:1"], "--url is an option of the admin commands, not of starting the emulator"],
    [["world", "--port", "0"], "--port is an option of starting the emulator, not of world"],
    [["world", "--reset"], "--reset is an option of metrics, not of world"],
    [["get-object", "b", "k", "--region", "r"], "--region is an option of put-object, not of get-object"],
    [["world", "extra"], "world takes at most 0 arguments; unexpected extra"],
    [["delete-image", "a", "b"], "delete-image takes at most 1 argument; unexpected b"],
    [["world", "--url", "ftp://127.0.0.1"], `--url must be an http:// or https:// URL of ims-emulator, got "ftp://127.0.0.1"`],
    [["--rate-limit", "0"], "--rate-limit takes requests a second per project, a number above 0 (e.g. 10, or 0.5), got 0"],
    [["--rate-limit", "ten"], "--rate-limit takes requests a second per project, a number above 0 (e.g. 10, or 0.5), got ten"],
    [["--no-retry-after"], "--no-retry-after goes with --rate-limit"],
    [["world", "--no-retry-after"], "--no-retry-after is an option of starting the emulator and of rate-limit, not of world"],
    [["rate-limit", "--rate-limit", "5"], "--rate-limit is an option of starting the emulator, not of rate-limit"],
    [["rate-limit", "0", "--url", "http://127.0.0.1:1"], "rate-limit takes requests a second per project, a number above 0 (e.g. 10, or 0.5), got 0"],
    [["rate-limit", "off", "--no-retry-after", "--url", "http://127.0.0.1:1"], "rate-limit off takes no --no-retry-after"],
  ])("%j is a usage error (exit 2) naming the problem", async (args, message) => {
    const res = await run(...args);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`ims-emulator: ${message}`);
    expect(res.stderr).toContain("Usage:");
    expect(res.stdout.length).toBe(0);
  });

  it("a bad IMS_EMULATOR_URL is a usage error naming the variable", async () => {
    const res = await runWith({ IMS_EMULATOR_URL: "127.0.0.1:7439" }, "world");
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`ims-emulator: IMS_EMULATOR_URL must be an http:// or https:// URL of ims-emulator, got "127.0.0.1:7439"`);
  });

  it("https:// to a plain emulator says to use http://", async () => {
    await expectSchemeHint(url.replace("http:", "https:"), "If the emulator serves plain HTTP (started without --tls-cert), use http://.");
  });

  it("IMS_EMULATOR_URL names the emulator when --url does not", async () => {
    const res = await runWith({ IMS_EMULATOR_URL: url }, "world");
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout.toString())).toMatchObject({ endpoint: url });
  });
});

describe("ims-emulator --rate-limit", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterAll(() => stopCli(child));

  it("starts with the rate limit, says so, and refuses without Retry-After given --no-retry-after", async () => {
    const started = await startCli(["--port", "0", "--rate-limit", "0.001", "--no-retry-after"]);
    child = started.child;
    expect(started.text).toContain("  rate limit:      0.001 IMS requests a second per project, then 429 APIGW.0308 without Retry-After\n");
    const banner = parseBanner(started.text);
    expect(await admin(banner.endpoint, "rate-limit")).toEqual({ requestsPerSecond: 0.001, retryAfter: false });
    const headers = { "X-Auth-Token": await tokenOf(banner.endpoint, banner) };
    const images = () => fetch(`${banner.endpoint}/v2/cloudimages?__imagetype=gold`, { headers });
    expect((await images()).status).toBe(200);
    const refused = await images();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBeNull();
    expect(await refused.json()).toEqual({
      error_code: "APIGW.0308",
      error_msg: "The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 minute",
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });
});

describe("ims-emulator CLI when no emulator answers", () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
  });

  it("--url: names the URL, that --url chose it, the refusal and how to start one", async () => {
    const res = await run("world", "--url", `http://127.0.0.1:${port}`);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `ims-emulator: cannot reach ims-emulator at http://127.0.0.1:${port} (given by --url): connect ECONNREFUSED 127.0.0.1:${port}. ` +
        `Is it running? Start one with: ims-emulator --port ${port}\n`,
    );
  });

  it("IMS_EMULATOR_URL: says the URL came from the variable", async () => {
    const res = await runWith({ IMS_EMULATOR_URL: `http://localhost:${port}/` }, "fault", "list");
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`cannot reach ims-emulator at http://localhost:${port} (from IMS_EMULATOR_URL): `);
    expect(res.stderr).toContain(`ECONNREFUSED`);
    expect(res.stderr).toContain(`Start one with: ims-emulator --port ${port}\n`);
  });

  it("the default: says it is the default and how to name another", async () => {
    const busy = await fetch("http://127.0.0.1:7439/").then(
      () => true,
      () => false,
    );
    if (busy) {
      process.stdout.write("port 7439 is in use on this machine: the default-URL case is left to test/emulator/remote.test.ts\n");
      return;
    }
    const res = await run("clock");
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      "ims-emulator: cannot reach ims-emulator at http://127.0.0.1:7439 (the default; --url or IMS_EMULATOR_URL name another): " +
        "connect ECONNREFUSED 127.0.0.1:7439. Is it running? Start one with: ims-emulator --port 7439\n",
    );
  });
});

describe("ims-emulator CLI over HTTPS (--tls-cert, --tls-key)", () => {
  let certificate: TestCertificate;
  let started: Started | undefined;
  let url: string;

  beforeAll(async () => {
    certificate = makeTestCertificate();
    started = await startCli(["--port=0", "--tls-cert", certificate.certFile, `--tls-key=${certificate.keyFile}`, "--clock-offset", "-600"]);
    url = parseBanner(started.text).endpoint;
  });
  afterAll(async () => {
    await stopCli(started?.child);
    if (certificate) rmSync(certificate.dir, { recursive: true, force: true });
  });

  it("prints an https:// endpoint, auth URL and the certificate it serves", () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(started!.text).toContain(`  auth URL (IAM):  ${url}/v3\n`);
    expect(started!.text).toContain(`  TLS certificate: ${certificate.certFile} (clients trust the CA that signed it`);
    expect(started!.text).toContain(`export HW_AUTH_URL=${url}/v3 `);
  });

  it("admin commands reach it when Node trusts the CA (NODE_EXTRA_CA_CERTS), and keep the other options (--clock-offset -600)", async () => {
    const res = await runWith({ NODE_EXTRA_CA_CERTS: certificate.caFile }, "clock", "--url", url);
    expect(res.code).toBe(0);
    const world = await runWith({ NODE_EXTRA_CA_CERTS: certificate.caFile }, "world", "--url", url);
    expect(JSON.parse(world.stdout.toString())).toMatchObject({ endpoint: url, iamEndpoint: `${url}/v3` });
    // The service's clock, as its Date header shows it, runs ten minutes behind.
    const agent = new Agent({ connect: { ca: certificate.ca } });
    try {
      const res = await undiciFetch(`${url}/v3`, { dispatcher: agent });
      expect(res.status).toBe(200);
      const behindS = (Date.now() - Date.parse(res.headers.get("date")!)) / 1000;
      expect(behindS).toBeGreaterThan(595);
      expect(behindS).toBeLessThan(605);
    } finally {
      await agent.close();
    }
  });

  it("without the CA, the error says the certificate is not trusted and how to trust it", async () => {
    const res = await run("world", "--url", url);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(
        `^ims-emulator: ims-emulator at ${url.replace(/\./g, "\\.")} \\(given by --url\\) answered with a certificate this machine does not trust \\(.+\\)\\. ` +
          `Let Node trust the CA that signed its --tls-cert: NODE_EXTRA_CA_CERTS=ca\\.pem ims-emulator …\n$`,
      ),
    );
  });

  it("http:// to it says to use https://", async () => {
    await expectSchemeHint(url.replace("https:", "http:"), "If the emulator serves HTTPS (started with --tls-cert), use https://.");
  });

  it("a --tls-cert that cannot be read, or a key that is not its own, stops it with a clear message", async () => {
    const missing = await run("--port", "0", "--tls-cert", join(certificate.dir, "nothing.pem"), "--tls-key", certificate.keyFile);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ims-emulator: cannot read the --tls-cert file: ENOENT/);
    const swapped = await run("--port", "0", "--tls-cert", certificate.keyFile, "--tls-key", certificate.certFile);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(/^ims-emulator: cannot serve HTTPS with this TLS certificate and key: /);
  });
});
