// The nightly run of the golden-image pipeline, as CI runs it, with the Automation API: the newest
// image file becomes a new build, the last N builds are kept (and any build a consumer is pinned
// to), `stable` consumers move to the build that was the latest until now, and `pulumi up` rolls
// it out. The progress goes to stderr, the stack's outputs to stdout as JSON (see README.md).
//
//   npx ts-node nightly.ts <images directory> [--stack nightly] [--keep 3] [--bucket images-bucket]
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { BuildSetting, ConsumerSetting } from "./index";

const IMAGE_FILE = /\.(qcow2|qcow|vhd|vhdx|zvhd|zvhd2|vmdk|raw|img)$/i;
/** A date (and time) in a file name: `ubuntu-2026-12-01.qcow2`, `ubuntu-20261201T0300.qcow2`. */
const STAMP = /\d{4}-?\d{2}-?\d{2}(?:[T_-]\d{4}(?:\d{2})?)?/;

/** The newest image file of a directory (by modification time) and the version it makes. */
export function newestImage(dir: string): { path: string; name: string; version: string } {
  const files = readdirSync(dir)
    .filter((name) => IMAGE_FILE.test(name))
    .map((name) => ({ name, path: resolve(dir, name), mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
  if (files.length === 0) throw new Error(`${dir} holds no image file (.qcow2, .vhd, .zvhd2, .vmdk, .raw…): give the directory the image build writes to`);
  const [newest] = files;
  const version = STAMP.exec(newest.name)?.[0] ?? newest.name.slice(0, -extname(newest.name).length);
  return { path: newest.path, name: newest.name, version };
}

/**
 * The builds after this run: the newest appended unless it is there already, then the last `keep`
 * kept, and any older one a consumer is still pinned to.
 */
export function nextBuilds(builds: BuildSetting[], newest: BuildSetting, keep: number, pinned: (string | undefined)[]): BuildSetting[] {
  const all = builds.some((b) => b.version === newest.version) ? builds : [...builds, newest];
  return all.filter((b, i) => i >= all.length - keep || pinned.includes(b.version));
}

/** The consumers after this run: each `stable` one pinned to the build that was the latest before it (none the first night). */
export function movePins(consumers: ConsumerSetting[], previousLatest: string | undefined, added: boolean): ConsumerSetting[] {
  return consumers.map((c) => {
    if (c.channel === "latest") return { ...c, pin: undefined };
    if (c.channel === "stable" && added) return { ...c, pin: previousLatest };
    return c;
  });
}

/** The stack of `workDir`, through the Pulumi CLI of PULUMI_CLI_ROOT (`<root>/bin/pulumi`), else the one on PATH. */
async function openStack(stackName: string, workDir: string): Promise<Stack> {
  const backend = process.env.PULUMI_BACKEND_URL ?? `file://${join(workDir, ".pulumi-state")}`;
  if (backend.startsWith("file://")) mkdirSync(backend.slice("file://".length), { recursive: true });
  const root = process.env.PULUMI_CLI_ROOT;
  const pulumiCommand = await PulumiCommand.get(root ? { root } : {});
  const workspace = await LocalWorkspace.create({ workDir, pulumiCommand, envVars: { PULUMI_BACKEND_URL: backend } });
  if (!(await workspace.listStacks()).some((s) => s.name === stackName)) {
    throw new Error(`no stack ${stackName} at ${backend}: create and configure it first (pulumi stack init ${stackName}, then the settings of README.md)`);
  }
  return Stack.select(stackName, workspace);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { stack: { type: "string", default: "nightly" }, keep: { type: "string", default: "3" }, bucket: { type: "string" } },
  });
  const keep = Number(values.keep);
  if (positionals.length !== 1 || !Number.isInteger(keep) || keep < 1) {
    throw new Error("usage: ts-node nightly.ts <images directory> [--stack nightly] [--keep N ≥ 1] [--bucket <OBS bucket holding the same files>]");
  }
  const image = newestImage(positionals[0]);
  // With a bucket, the build imports the file CI uploaded there; without, it uploads it from here.
  const newest: BuildSetting = values.bucket ? { version: image.version, imageUrl: `${values.bucket}:${image.name}` } : { version: image.version, localFile: image.path };

  const stack = await openStack(values.stack!, __dirname);
  const project = (await stack.workspace.projectSettings()).name;
  const config = await stack.getAllConfig();
  const read = <T>(key: string, fallback: T): T => (config[`${project}:${key}`] ? (JSON.parse(config[`${project}:${key}`].value) as T) : fallback);
  const builds = read<BuildSetting[]>("builds", []);
  const added = !builds.some((b) => b.version === newest.version);
  const consumers = movePins(read<ConsumerSetting[]>("consumers", []), builds[builds.length - 1]?.version, added);
  const kept = nextBuilds(builds, newest, keep, consumers.map((c) => c.pin));
  await stack.setConfig("builds", { value: JSON.stringify(kept) });
  await stack.setConfig("consumers", { value: JSON.stringify(consumers) });
  process.stderr.write(`${added ? "new build" : "no new image file; latest build"} ${newest.version}; keeping ${kept.map((b) => b.version).join(", ")}\n`);

  const result = await stack.up({ onOutput: (line) => process.stderr.write(line) });
  const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
  process.stdout.write(`${JSON.stringify({ added, version: newest.version, builds: kept.map((b) => b.version), outputs }, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`nightly: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
