#!/usr/bin/env node
/**
 * ims-emulator: start a local IMS cloud, or drive a running one through its admin API.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { startEmulator, type EmulatorOptions } from "./index";
import { loadWorldFile } from "./persist";

const DEFAULT_PORT = 7439;

const USAGE = `Usage:
  ims-emulator [--port N] [--host 127.0.0.1] [--world file.json] [--state-file f]
               [--job-duration ms] [--token-lifetime seconds] [--clock-offset seconds]
      Starts a local Image Management Service (IAM, IMS and Glance-compatible APIs) and prints
      its endpoint and the credentials of its world. --port 0 takes any free port (default ${DEFAULT_PORT}).

  ims-emulator <command> [arguments] [--url http://127.0.0.1:${DEFAULT_PORT}]
      Drives a running emulator through its admin API (the URL also comes from IMS_EMULATOR_URL):
        world                         endpoint, regions, projects, users and credentials
        state                         the whole world as JSON (a file --world and load accept)
        reset                         back to the world it started with
        load <file.json>              replace the world
        agency add|remove <name>      an IAM agency of the account (cross-region copies name one)
        put-object <bucket> <key> <file> [--region r]
        get-object <bucket> <key> [--out file]
        create-server|create-volume|create-backup '<json>'
        fault add '<json>' | fault list | fault clear
              e.g. '{"route":"/v2/cloudimages","method":"GET","status":429,"probability":0.2}'
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

function takeFlag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith("--")) throw new UsageError(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

function number(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`${name} must be a number of at least ${min}, got ${value}`);
  return n;
}

async function serve(args: string[]): Promise<void> {
  const options: EmulatorOptions = {
    host: takeFlag(args, "--host") ?? "127.0.0.1",
    port: number(takeFlag(args, "--port"), "--port", 0) ?? DEFAULT_PORT,
  };
  const worldFile = takeFlag(args, "--world");
  if (worldFile) options.world = loadWorldFile(worldFile);
  const stateFile = takeFlag(args, "--state-file");
  if (stateFile) options.stateFile = stateFile;
  const duration = number(takeFlag(args, "--job-duration"), "--job-duration", 0);
  if (duration !== undefined) options.jobDurationMs = duration;
  const lifetime = number(takeFlag(args, "--token-lifetime"), "--token-lifetime", 1);
  if (lifetime !== undefined) options.tokenLifetimeMs = lifetime * 1000;
  const offset = takeFlag(args, "--clock-offset");
  if (offset !== undefined) {
    if (!/^-?\d+$/.test(offset)) throw new UsageError("--clock-offset takes whole seconds (negative: the service's clock is behind)");
    options.clockOffsetMs = Number(offset) * 1000;
  }
  if (args.length > 0) throw new UsageError(`unknown argument ${args[0]}`);

  const emulator = await startEmulator(options);
  const s = emulator.summary();
  const lines = [
    `ims-emulator listening on ${s.endpoint}`,
    `  auth URL (IAM):  ${s.iamEndpoint}`,
    `  regions:         ${s.regions.join(", ")}`,
    ...s.users.map((u) => `  user:            ${u.name} / ${u.password} (domain ${u.domain})`),
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
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function call(url: string, method: string, path: string, body?: unknown | Buffer): Promise<unknown> {
  const raw = Buffer.isBuffer(body);
  const res = await fetch(`${url}/_emulator${path}`, {
    method,
    ...(body !== undefined ? { body: raw ? (body as Buffer) : JSON.stringify(body) } : {}),
    headers: body === undefined ? {} : { "Content-Type": raw ? "application/octet-stream" : "application/json" },
  });
  const text = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`${method} /_emulator${path}: HTTP ${res.status} ${text.toString()}`);
  if (res.headers.get("content-type")?.includes("json")) return JSON.parse(text.toString());
  return text.length ? text : undefined;
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

async function command(name: string, args: string[]): Promise<unknown> {
  const url = (takeFlag(args, "--url") ?? process.env.IMS_EMULATOR_URL ?? `http://127.0.0.1:${DEFAULT_PORT}`).replace(/\/$/, "");
  const [a, b, c, d] = args;
  switch (name) {
    case "world":
      return call(url, "GET", "/world");
    case "state":
      return call(url, "GET", "/state");
    case "reset":
      return call(url, "POST", "/reset");
    case "load":
      if (!a) throw new UsageError("load needs a file");
      return call(url, "PUT", "/world", loadWorldFile(a));
    case "agency":
      if ((a === "add" || a === "remove") && b) return call(url, a === "add" ? "PUT" : "DELETE", `/agencies/${encodeURIComponent(b)}`);
      throw new UsageError("agency takes add <name> or remove <name>");
    case "put-object": {
      if (!a || !b || !c) throw new UsageError("put-object needs <bucket> <key> <file>");
      const region = takeFlag(args, "--region");
      return call(url, "PUT", `/objects/${objectPath(a, b)}${region ? `?region=${encodeURIComponent(region)}` : ""}`, readFileSync(c));
    }
    case "get-object": {
      if (!a || !b) throw new UsageError("get-object needs <bucket> <key>");
      const out = takeFlag(args, "--out");
      // An empty object comes back as no body at all.
      const bytes = ((await call(url, "GET", `/objects/${objectPath(a, b)}`)) as Buffer | undefined) ?? Buffer.alloc(0);
      if (out) writeFileSync(out, bytes);
      else process.stdout.write(bytes);
      return undefined;
    }
    case "create-server":
      return call(url, "POST", "/servers", json(a, name));
    case "create-volume":
      return call(url, "POST", "/volumes", json(a, name));
    case "create-backup":
      return call(url, "POST", "/backups", json(a, name));
    case "fault":
      if (a === "add") return call(url, "POST", "/faults", json(b, "fault add"));
      if (a === "list") return call(url, "GET", "/faults");
      if (a === "clear") return call(url, "DELETE", "/faults");
      throw new UsageError("fault takes add, list or clear");
    case "fail-jobs":
      if (!a) throw new UsageError("fail-jobs needs a job type (or *)");
      return call(url, "POST", "/job-failures", {
        jobType: a,
        count: b ? Number(b) : 1,
        ...(c ? { errorCode: c } : {}),
        ...(d ? { failReason: d } : {}),
      });
    case "drift-image":
      if (!a) throw new UsageError("drift-image needs an image id");
      return call(url, "PATCH", `/images/${a}`, json(b, name));
    case "delete-image":
      if (!a) throw new UsageError("delete-image needs an image id");
      return call(url, "DELETE", `/images/${a}`);
    case "set-member":
      if (!a || !b || !c) throw new UsageError("set-member needs <image_id> <project_id> <status>");
      return call(url, "PUT", `/images/${a}/members/${b}`, { status: c });
    case "remove-member":
      if (!a || !b) throw new UsageError("remove-member needs <image_id> <project_id>");
      return call(url, "DELETE", `/images/${a}/members/${b}`);
    case "revoke-tokens":
      return call(url, "POST", "/tokens/revoke");
    case "clock":
      if (a === undefined) return call(url, "GET", "/clock");
      if (a === "pause") return call(url, "POST", "/clock", { paused: true });
      if (a === "resume") return call(url, "POST", "/clock", { paused: false });
      if (a === "speed") return call(url, "POST", "/clock", { speed: number(b, "speed", 0) });
      if (a === "advance") return call(url, "POST", "/clock", { advanceMs: number(b, "advance", 0) });
      throw new UsageError("clock takes pause, resume, speed <x> or advance <ms>");
    case "timing":
      return call(url, "PUT", "/timing", json(a, name));
    case "metrics":
      if (args.includes("--reset")) return call(url, "DELETE", "/metrics");
      return call(url, "GET", "/metrics");
    default:
      throw new UsageError(`unknown command ${name}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const args = [...argv];
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.length === 0 || args[0].startsWith("--")) return serve(args);
  const result = await command(args[0], args.slice(1));
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
