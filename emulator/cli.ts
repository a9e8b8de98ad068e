#!/usr/bin/env node
/**
 * ims-emulator: start a local IMS cloud, or drive a running one through its admin API.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { AdminUrlError, adminTarget, callAdmin, type AdminTarget } from "./admin/remote";
import { startEmulator, type EmulatorOptions } from "./index";
import { loadWorldFile } from "./persist";
import { emulatorVersion } from "./version";

const DEFAULT_PORT = 7439;

const USAGE = `Usage:
  ims-emulator [--port N] [--host 127.0.0.1] [--world file.json] [--state-file f]
               [--job-duration ms] [--token-lifetime seconds] [--clock-offset seconds]
               [--tls-cert cert.pem --tls-key key.pem] [--rate-limit requests/s [--no-retry-after]]
      Starts a local Image Management Service (IAM, IMS and Glance-compatible APIs) and prints
      its endpoint and the credentials of its world. --port 0 takes any free port (default ${DEFAULT_PORT}).
      With --tls-cert and --tls-key (PEM files) it serves HTTPS instead of HTTP. With --rate-limit,
      each project may send that many IMS requests a second (a burst of one second's worth); more
      are refused with 429 APIGW.0308 and Retry-After, or without it given --no-retry-after.

  ims-emulator --version | --help

  ims-emulator <command> [arguments] [--url http://127.0.0.1:${DEFAULT_PORT}]
      Drives a running emulator through its admin API (the URL also comes from IMS_EMULATOR_URL;
      for an HTTPS one, NODE_EXTRA_CA_CERTS names the CA that signed its certificate):
        world                         endpoint, regions, projects, users and credentials
        state                         the whole world as JSON (a file --world and load accept)
        reset                         back to the world it started with
        load <file.json>              replace the world
        agency add|remove <name>      an IAM agency of the account (cross-region copies name one)
        eps add <name> [<id>]         an enterprise project of the account (a new UUID unless given)
        eps remove <id>               (images name them in enterprise_project_id; 0 is the default)
        put-object <bucket> <key> <file> [--region r]
        get-object <bucket> <key> [--out file]
        create-server|create-volume|create-backup '<json>'
        fault add '<json>' | fault list | fault clear
              e.g. '{"route":"/v2/cloudimages","method":"GET","status":429,"probability":0.2}'
        rate-limit [<requests/s> [--no-retry-after] | off]
                                      show, set or remove the rate limit per project
        fail-jobs <jobType|*> [count] [errorCode] [failReason]
        drift-image <image_id> '<json>'   out-of-band change: name, description, minRam, maxRam, tags, status
        delete-image <image_id>
        set-member <image_id> <project_id> <pending|accepted|rejected>
        remove-member <image_id> <project_id>
        revoke-tokens                     every token issued so far must be updated (401 APIGW.0307)
        clock [pause|resume|speed <x>|advance <ms>]
        timing '<json>'                   e.g. '{"defaultMs":500,"jitter":0}'
        metrics [--reset]
`;

class UsageError extends Error {}

/** Every option; SERVE_OPTIONS and COMMAND_OPTIONS below say where each belongs. */
const OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  host: { type: "string" },
  port: { type: "string" },
  world: { type: "string" },
  "state-file": { type: "string" },
  "job-duration": { type: "string" },
  "token-lifetime": { type: "string" },
  "clock-offset": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "rate-limit": { type: "string" },
  "no-retry-after": { type: "boolean" },
  url: { type: "string" },
  region: { type: "string" },
  out: { type: "string" },
  reset: { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

type Values = ReturnType<typeof parse>["values"];
type OptionName = keyof typeof OPTIONS;

const SERVE_OPTIONS: OptionName[] = [
  "host",
  "port",
  "world",
  "state-file",
  "job-duration",
  "token-lifetime",
  "clock-offset",
  "tls-cert",
  "tls-key",
  "rate-limit",
  "no-retry-after",
];
/** Options of one command only (some also of starting the emulator); `--url` belongs to every command. */
const COMMAND_OPTIONS: Partial<Record<OptionName, string>> = { region: "put-object", out: "get-object", reset: "metrics", "no-retry-after": "rate-limit" };

/**
 * `--clock-offset -60`: a negative number after an option that takes a value is that value, not
 * an option (parseArgs only takes it as `--clock-offset=-60`).
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? (argv[i].slice(2) as OptionName) : undefined;
    const next = argv[i + 1];
    if (name && OPTIONS[name]?.type === "string" && next !== undefined && /^-\d+(\.\d+)?$/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, strict: true, allowPositionals: true });
  } catch (e) {
    const error = e as Error & { code?: string };
    if (!error.code?.startsWith("ERR_PARSE_ARGS")) throw e;
    const unknown = /^Unknown option '([^']+)'/.exec(error.message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}`);
    const valueless = /^Option '(--[\w-]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(error.message);
    if (valueless) throw new UsageError(`${valueless[1]} needs a value`);
    throw new UsageError(error.message);
  }
}

function number(value: string | undefined, name: string, min: number, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a number ${max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`}, got ${value}`);
  }
  return n;
}

/** The certificate and key of --tls-cert and --tls-key (both or neither), read from their files. */
function tlsFiles(values: Values): EmulatorOptions["tls"] {
  const { "tls-cert": certFile, "tls-key": keyFile } = values;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new UsageError("--tls-cert and --tls-key go together: a PEM certificate and its private key");
  const read = (file: string, option: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch (e) {
      throw new Error(`cannot read the ${option} file: ${(e as Error).message}`, { cause: e });
    }
  };
  return { cert: read(certFile, "--tls-cert"), key: read(keyFile, "--tls-key") };
}

async function serve(values: Values): Promise<void> {
  const port = number(values.port, "--port", 0, 65535);
  if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`--port must be a whole number, got ${values.port}`);
  const options: EmulatorOptions = { host: values.host ?? "127.0.0.1", port: port ?? DEFAULT_PORT };
  if (values.world) options.world = loadWorldFile(values.world);
  if (values["state-file"]) options.stateFile = values["state-file"];
  const duration = number(values["job-duration"], "--job-duration", 0);
  if (duration !== undefined) options.jobDurationMs = duration;
  const lifetime = number(values["token-lifetime"], "--token-lifetime", 1);
  if (lifetime !== undefined) options.tokenLifetimeMs = lifetime * 1000;
  const offset = values["clock-offset"];
  if (offset !== undefined) {
    if (!/^-?\d+$/.test(offset)) throw new UsageError("--clock-offset takes whole seconds (negative: the service's clock is behind)");
    options.clockOffsetMs = Number(offset) * 1000;
  }
  const tls = tlsFiles(values);
  if (tls) options.tls = tls;
  if (values["rate-limit"] !== undefined) {
    options.rateLimit = { requestsPerSecond: rate(values["rate-limit"], "--rate-limit"), retryAfter: !values["no-retry-after"] };
  } else if (values["no-retry-after"]) {
    throw new UsageError("--no-retry-after goes with --rate-limit: it says that refusals of the rate limit carry no Retry-After");
  }

  const emulator = await startEmulator(options);
  const s = emulator.summary();
  const lines = [
    `ims-emulator listening on ${s.endpoint}`,
    `  auth URL (IAM):  ${s.iamEndpoint}`,
    `  regions:         ${s.regions.join(", ")}`,
    ...s.users.map((u) => `  user:            ${u.name} / ${u.password} (domain ${u.domain})`),
    `  enterprise projects: ${s.enterpriseProjects.map((e) => `${e.name} ${e.id}`).join(", ")} (enterprise_project_id)`,
    `  projects and AK/SK pairs:`,
    ...s.projects
      .filter((p) => s.accessKeys.some((k) => k.projectId === p.id))
      .map((p) => {
        const k = s.accessKeys.find((key) => key.projectId === p.id)!;
        return `    ${p.name.padEnd(26)} ${p.id}  AK ${k.access}  SK ${k.secret}`;
      }),
    `  image files:     ${s.objects.map((o) => `${o.url} (${o.format})`).join(", ")}`,
    ...s.servers.map((v) => `  ECS server:      ${v.name} ${v.id} (${v.status})`),
    ...s.volumes.filter((v) => !v.serverId).map((v) => `  EVS volume:      ${v.name} ${v.id} (${v.sizeGb} GB)`),
    ...s.backups.map((b) => `  ${b.kind} backup:      ${b.name} ${b.id}`),
    `  admin API:       ${s.endpoint}/_emulator/world`,
    ...(options.rateLimit
      ? [
          `  rate limit:      ${options.rateLimit.requestsPerSecond} IMS requests a second per project, then 429 APIGW.0308` +
            (options.rateLimit.retryAfter ? " with Retry-After" : " without Retry-After"),
        ]
      : []),
    ...(tls ? [`  TLS certificate: ${values["tls-cert"]} (clients trust the CA that signed it, e.g. NODE_EXTRA_CA_CERTS=ca.pem)`] : []),
  ];
  const first = s.accessKeys[0];
  if (first) {
    lines.push(
      "",
      "For pulumi-ims and other clients:",
      `  export HW_AUTH_URL=${s.iamEndpoint} HW_REGION_NAME=${s.regions[0]}`,
      `  export HW_ACCESS_KEY=${first.access} HW_SECRET_KEY=${first.secret}`,
      `  pulumi config set ims:endpoint ${s.endpoint}`,
    );
  }
  process.stdout.write(lines.join("\n") + "\n");
  // Stopping writes the state file whole (its journal emptied), so the file alone then holds the world.
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`ims-emulator: stopped, but the state file could not be written whole: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** A rate limit in requests a second: a number above 0. */
function rate(value: string, what: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`${what} takes requests a second per project, a number above 0 (e.g. 10, or 0.5), got ${value}`);
  return n;
}

function json(text: string | undefined, what: string): unknown {
  if (text === undefined) throw new UsageError(`${what} needs a JSON argument`);
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what}: the argument is not JSON: ${text}`);
  }
}

/** `bucket/key` for an admin URL, each segment percent-encoded (keys may hold spaces, `#` or `?`). */
const objectPath = (bucket: string, key: string): string => `${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`;

/** Each command and the most positional arguments it takes. */
const COMMANDS: Record<string, number> = {
  world: 0,
  state: 0,
  reset: 0,
  load: 1,
  agency: 2,
  eps: 3,
  "put-object": 3,
  "get-object": 2,
  "create-server": 1,
  "create-volume": 1,
  "create-backup": 1,
  fault: 2,
  "fail-jobs": 4,
  "rate-limit": 1,
  "drift-image": 2,
  "delete-image": 1,
  "set-member": 3,
  "remove-member": 2,
  "revoke-tokens": 0,
  clock: 2,
  timing: 1,
  metrics: 0,
};

/** Options that belong to starting the emulator or to another command are mistakes, not ignored. */
function checkOptions(name: string | undefined, values: Values): void {
  for (const option of Object.keys(values) as OptionName[]) {
    if (option === "help" || option === "version") continue;
    if (name === undefined && !SERVE_OPTIONS.includes(option)) {
      throw new UsageError(`--${option} is an option of the admin commands, not of starting the emulator`);
    }
    if (name === undefined) continue;
    const only = COMMAND_OPTIONS[option];
    if (SERVE_OPTIONS.includes(option) && only !== name) {
      throw new UsageError(`--${option} is an option of starting the emulator${only ? ` and of ${only}` : ""}, not of ${name}`);
    }
    if (only !== undefined && only !== name) throw new UsageError(`--${option} is an option of ${only}, not of ${name}`);
  }
}

async function command(name: string, args: string[], values: Values): Promise<unknown> {
  const max = COMMANDS[name];
  if (max === undefined) throw new UsageError(`unknown command ${name}`);
  if (args.length > max) throw new UsageError(`${name} takes at most ${max} argument${max === 1 ? "" : "s"}; unexpected ${args.slice(max).join(" ")}`);
  let target: AdminTarget;
  try {
    target = adminTarget(values.url, process.env.IMS_EMULATOR_URL, `http://127.0.0.1:${DEFAULT_PORT}`);
  } catch (e) {
    if (e instanceof AdminUrlError) throw new UsageError(e.message);
    throw e;
  }
  const call = (method: string, path: string, body?: unknown) => callAdmin(target, method, path, body);
  const [a, b, c, d] = args;
  switch (name) {
    case "world":
      return call("GET", "/world");
    case "state":
      return call("GET", "/state");
    case "reset":
      return call("POST", "/reset");
    case "load":
      if (!a) throw new UsageError("load needs a file");
      return call("PUT", "/world", loadWorldFile(a));
    case "agency":
      if ((a === "add" || a === "remove") && b) return call(a === "add" ? "PUT" : "DELETE", `/agencies/${encodeURIComponent(b)}`);
      throw new UsageError("agency takes add <name> or remove <name>");
    case "eps":
      if (a === "add" && b) return call("PUT", `/enterprise-projects/${encodeURIComponent(c ?? randomUUID())}`, { name: b });
      if (a === "remove" && b && !c) return call("DELETE", `/enterprise-projects/${encodeURIComponent(b)}`);
      throw new UsageError("eps takes add <name> [<id>] or remove <id>");
    case "put-object": {
      if (!a || !b || !c) throw new UsageError("put-object needs <bucket> <key> <file>");
      const region = values.region;
      return call("PUT", `/objects/${objectPath(a, b)}${region ? `?region=${encodeURIComponent(region)}` : ""}`, readFileSync(c));
    }
    case "get-object": {
      if (!a || !b) throw new UsageError("get-object needs <bucket> <key>");
      // An empty object comes back as no body at all.
      const bytes = ((await call("GET", `/objects/${objectPath(a, b)}`)) as Buffer | undefined) ?? Buffer.alloc(0);
      if (values.out) writeFileSync(values.out, bytes);
      else process.stdout.write(bytes);
      return undefined;
    }
    case "create-server":
      return call("POST", "/servers", json(a, name));
    case "create-volume":
      return call("POST", "/volumes", json(a, name));
    case "create-backup":
      return call("POST", "/backups", json(a, name));
    case "fault":
      if (a === "add") return call("POST", "/faults", json(b, "fault add"));
      if (a === "list" && !b) return call("GET", "/faults");
      if (a === "clear" && !b) return call("DELETE", "/faults");
      throw new UsageError("fault takes add '<json>', list or clear");
    case "rate-limit":
      if (a === undefined) {
        if (values["no-retry-after"]) throw new UsageError("rate-limit --no-retry-after needs a rate: rate-limit <requests/s> --no-retry-after");
        return call("GET", "/rate-limit");
      }
      if (a === "off") {
        if (values["no-retry-after"]) throw new UsageError("rate-limit off takes no --no-retry-after");
        return call("DELETE", "/rate-limit");
      }
      return call("PUT", "/rate-limit", { requestsPerSecond: rate(a, "rate-limit"), retryAfter: !values["no-retry-after"] });
    case "fail-jobs":
      if (!a) throw new UsageError("fail-jobs needs a job type (or *)");
      return call("POST", "/job-failures", {
        jobType: a,
        count: b ? number(b, "fail-jobs count", 1) : 1,
        ...(c ? { errorCode: c } : {}),
        ...(d ? { failReason: d } : {}),
      });
    case "drift-image":
      if (!a) throw new UsageError("drift-image needs an image id");
      return call("PATCH", `/images/${a}`, json(b, name));
    case "delete-image":
      if (!a) throw new UsageError("delete-image needs an image id");
      return call("DELETE", `/images/${a}`);
    case "set-member":
      if (!a || !b || !c) throw new UsageError("set-member needs <image_id> <project_id> <status>");
      return call("PUT", `/images/${a}/members/${b}`, { status: c });
    case "remove-member":
      if (!a || !b) throw new UsageError("remove-member needs <image_id> <project_id>");
      return call("DELETE", `/images/${a}/members/${b}`);
    case "revoke-tokens":
      return call("POST", "/tokens/revoke");
    case "clock":
      if (a === undefined) return call("GET", "/clock");
      if (a === "pause" && !b) return call("POST", "/clock", { paused: true });
      if (a === "resume" && !b) return call("POST", "/clock", { paused: false });
      if (a === "speed") return call("POST", "/clock", { speed: number(b, "speed", 0) });
      if (a === "advance") return call("POST", "/clock", { advanceMs: number(b, "advance", 0) });
      throw new UsageError("clock takes pause, resume, speed <x> or advance <ms>");
    case "timing":
      return call("PUT", "/timing", json(a, name));
    case "metrics":
      return call(values.reset ? "DELETE" : "GET", "/metrics");
    default:
      throw new Error(`command ${name} is listed but not implemented`);
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.version) {
    process.stdout.write(`ims-emulator ${emulatorVersion()}\n`);
    return;
  }
  const [name, ...args] = positionals;
  checkOptions(name, values);
  if (name === undefined) return serve(values);
  const result = await command(name, args, values);
  if (result !== undefined && !Buffer.isBuffer(result)) process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`ims-emulator: ${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`ims-emulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
