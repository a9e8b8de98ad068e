/**
 * examples/image-pipeline/nightly.ts as CI runs it: the Automation API driving the example's stack
 * with the locally built Pulumi CLI (PULUMI_CLI_ROOT; no pulumi on PATH), a file:// backend and
 * ims-emulator. The first night makes the first build; the second night's newer image file becomes
 * the latest build, the `latest` consumer moves to it and the `stable` one is pinned to the first;
 * a third night without a new file changes nothing. destroy leaves nothing.
 */
import { cpSync, readFileSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { addProjects, profileSecretEnv, profileSettings, putImageFile, usableImages, worldProject, type TestProject } from "../helpers/pipeline";
import { assertPulumiCli, PulumiWorkspace, run } from "../helpers/pulumi-cli";

jest.setTimeout(300_000);

const repo = resolve(__dirname, "../..");
const HOME = "ap-southeast-1";
const DR = "ap-southeast-3";

interface NightlyResult {
  added: boolean;
  version: string;
  builds: string[];
  outputs: {
    latestVersion: string;
    versions: string[];
    regions: Record<string, { latest: string; images: Record<string, string> }>;
    consumers: Record<string, { region: string; version: string; imageId: string; status: string }>;
  };
}

const ws = new PulumiWorkspace("e2e-nightly");
let emu: TestEmulator;
let analytics: TestProject;
let dr: TestProject;
let env: NodeJS.ProcessEnv;
const secrets: string[] = [];
const printed: string[] = [];
const seconds: number[] = [];

/** Runs the driver in the example's directory, as its README says; returns what it printed on stdout. */
async function nightly(...args: string[]): Promise<NightlyResult> {
  const started = Date.now();
  const result = await run("npx", ["ts-node", "nightly.ts", ...args], { cwd: ws.dir, env, timeoutMs: 240_000 });
  seconds.push((Date.now() - started) / 1000);
  printed.push(result.stdout, result.stderr);
  if (result.code !== 0) throw new Error(`nightly.ts ${args.join(" ")} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(result.stdout) as NightlyResult;
}

/** A new image file in the build directory, newer than those before it, also uploaded to the bucket. */
async function imageFile(name: string, minutesFromNow: number): Promise<void> {
  const bytes = makeQcow2(20, 8192 + minutesFromNow * 512);
  const path = join(ws.dir, "out", name);
  writeFileSync(path, bytes);
  const at = new Date(Date.now() + minutesFromNow * 60_000);
  utimesSync(path, at, at);
  await putImageFile(emu, name, bytes);
}

beforeAll(async () => {
  await assertPulumiCli();
  cpSync(join(repo, "examples", "image-pipeline"), ws.dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ws.dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  expect(manifest.dependencies["pulumi-ims"]).toBe("file:../..");
  manifest.dependencies["pulumi-ims"] = `file:${repo}`;
  writeFileSync(join(ws.dir, "package.json"), JSON.stringify(manifest, null, 2));
  await ws.npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]);
  mkdirSync(join(ws.dir, "out"));

  emu = await startTestEmulator({ jobMs: 300 });
  analytics = worldProject(emu, `${HOME}_analytics`);
  [dr] = await addProjects(emu, [{ name: `${DR}_dr`, region: DR }]);
  const main = emu.accessKey(HOME);
  secrets.push(main.secret, analytics.secret, dr.secret);
  const auth = { HW_ACCESS_KEY: main.access, HW_SECRET_KEY: main.secret, [profileSecretEnv("analytics")]: analytics.secret, [profileSecretEnv("dr")]: dr.secret };

  await ws.pulumi(["stack", "init", "nightly"]);
  const settings = {
    "ims:region": HOME,
    "ims:endpoint": emu.url,
    "ims:authUrl": `${emu.url}/v3`,
    imageName: "nightly-golden",
    ...profileSettings("analytics", analytics),
    ...profileSettings("dr", dr),
  };
  for (const [k, v] of Object.entries(settings)) await ws.pulumi(["config", "set", "--path", k, v]);
  const consumers = [
    { name: "analytics", projectId: analytics.id, profile: "analytics", channel: "latest" },
    { name: "dr", projectId: dr.id, region: DR, profile: "dr", channel: "stable" },
  ];
  await ws.pulumi(["config", "set", "consumers", JSON.stringify(consumers)]);

  // The driver finds the CLI through PULUMI_CLI_ROOT only: the tools directory of the CLI is not on PATH.
  const cliRoot = join(repo, ".tools", "pulumi");
  const path = (ws.env.PATH ?? "").split(delimiter).filter((dir) => resolve(dir) !== join(cliRoot, "bin")).join(delimiter);
  env = { ...ws.env, ...auth, PATH: path, PULUMI_CLI_ROOT: cliRoot };
  expect((await run("sh", ["-c", "command -v pulumi || echo none"], { cwd: ws.dir, env })).stdout.trim()).toBe("none");
}, 300_000);

afterAll(async () => {
  console.log(`nightly.ts runs: ${seconds.map((s) => `${s.toFixed(1)} s`).join(", ")}`);
  await emu?.close();
  ws.cleanup();
});

it("the first night makes the first build, copies it and shares it; every consumer on it", async () => {
  await imageFile("ubuntu-2026-11-30.qcow2", 0);
  const first = await nightly("out", "--bucket", "images-bucket", "--keep", "2");
  expect(first).toMatchObject({ added: true, version: "2026-11-30", builds: ["2026-11-30"], outputs: { latestVersion: "2026-11-30", versions: ["2026-11-30"] } });
  const home = first.outputs.regions[HOME].latest;
  const copy = first.outputs.regions[DR].latest;
  expect(first.outputs.consumers).toMatchObject({
    analytics: { region: HOME, version: "2026-11-30", imageId: home, status: "accepted" },
    dr: { region: DR, version: "2026-11-30", imageId: copy, status: "accepted" },
  });
  expect(emu.world.state.images.find((i) => i.id === home)).toMatchObject({ name: "nightly-golden-2026-11-30", origin: { kind: "file", url: "images-bucket:ubuntu-2026-11-30.qcow2" } });
  expect([usableImages(emu, analytics.id), usableImages(emu, dr.id)]).toEqual([[home], [copy]]);
});

it("the second night's newer file becomes the latest: the latest consumer moves, the stable one is pinned to the first build", async () => {
  await imageFile("ubuntu-2026-12-01.qcow2", 5);
  // This night uploads the file from the build machine instead of importing it from the bucket.
  const second = await nightly("out", "--keep", "2");
  expect(second).toMatchObject({ added: true, version: "2026-12-01", builds: ["2026-11-30", "2026-12-01"], outputs: { latestVersion: "2026-12-01" } });
  const { regions, consumers } = second.outputs;
  expect(consumers).toMatchObject({
    analytics: { version: "2026-12-01", imageId: regions[HOME].images["2026-12-01"], status: "accepted" },
    dr: { version: "2026-11-30", imageId: regions[DR].images["2026-11-30"], status: "accepted" },
  });
  expect([usableImages(emu, analytics.id), usableImages(emu, dr.id)]).toEqual([[regions[HOME].images["2026-12-01"]], [regions[DR].images["2026-11-30"]]]);
  const config = JSON.parse(await ws.pulumi(["config", "--json"])) as Record<string, { value: string }>;
  expect(JSON.parse(config["ims-image-pipeline:builds"].value)).toEqual([
    { version: "2026-11-30", imageUrl: "images-bucket:ubuntu-2026-11-30.qcow2" },
    { version: "2026-12-01", localFile: join(ws.dir, "out", "ubuntu-2026-12-01.qcow2") },
  ]);
  expect(JSON.parse(config["ims-image-pipeline:consumers"].value)).toEqual([
    expect.not.objectContaining({ pin: expect.anything() }),
    expect.objectContaining({ name: "dr", channel: "stable", pin: "2026-11-30" }),
  ]);
});

it("a night without a new file changes nothing: the pins stay", async () => {
  const third = await nightly("out", "--keep", "2");
  expect(third).toMatchObject({ added: false, version: "2026-12-01", builds: ["2026-11-30", "2026-12-01"] });
  expect(third.outputs.consumers.dr.version).toBe("2026-11-30");
  expect(await ws.pulumiResult(["preview", "--expect-no-changes"], { env: { ...env, PATH: ws.env.PATH } })).toMatchObject({ code: 0 });
});

it("destroy leaves nothing; no credential was ever printed or stored", async () => {
  await ws.pulumi(["destroy", "--yes"], { env: { ...env, PATH: ws.env.PATH } });
  expect(emu.world.state.images.filter((i) => i.imagetype === "private" && i.status !== "deleted")).toEqual([]);
  expect(emu.world.state.images.flatMap((i) => i.members)).toEqual([]);
  const state = await ws.pulumi(["stack", "export"]);
  for (const secret of secrets) {
    expect(state).not.toContain(secret);
    for (const text of printed) expect(text).not.toContain(secret);
    for (const t of ws.transcript) expect(`${t.stdout}\n${t.stderr}`).not.toContain(secret);
  }
});
