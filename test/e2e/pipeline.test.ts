/**
 * ImagePipeline with the real Pulumi CLI, pulumi-ims installed from its npm tarball, against
 * ims-emulator: one build made in ap-southeast-1, copied to ap-southeast-3 and shared with three
 * projects (one at home, two in the other region), each accepting with its own credentials; then a
 * second build rolls out while one consumer stays pinned to the first, and the first is retired —
 * with the emulator watched throughout each `up`: no consumer is ever without its image, and a
 * pinned one never loses it. destroy leaves nothing in either region or any project. A pipeline of
 * one build (`source`) replaces image, copy and shares, each made before the old one is deleted.
 */
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { addProjects, profileSecretEnv, profileSettings, putImageFile, requestsSince, usableImages, watchAccess, worldProject, type AccessSample, type TestProject } from "../helpers/pipeline";
import { diffOf, installPackedProject, PulumiWorkspace, type StateResource } from "../helpers/pulumi-cli";

jest.setTimeout(300_000);

const HOME = "ap-southeast-1";
const DR = "ap-southeast-3";
const V1 = "2026-11-30";
const V2 = "2026-12-01";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

interface Spec {
  name: string;
  builds?: { version: string; file: string }[];
  file?: string;
  consumers: ims.ImagePipelineConsumer[];
}
const spec = new pulumi.Config("e2e").requireObject<Spec>("pipeline");
const source = (file: string) => ({ imageUrl: "images-bucket:" + file, osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 });
const common = { name: spec.name, regions: ["${DR}"], agencyName: "ims_admin_agency", consumers: spec.consumers, tags: { pipeline: "e2e" } };
const golden = spec.builds
  ? new ims.ImagePipeline("golden", { ...common, builds: spec.builds.map((b) => ({ version: b.version, source: source(b.file) })) })
  : new ims.ImagePipeline("golden", { ...common, source: source(spec.file!) });

export const latestVersion = golden.latestVersion;
export const versions = golden.versions;
export const regions = golden.regions;
export const consumers = golden.consumers;
`;

interface Outputs {
  latestVersion: string;
  versions: string[];
  regions: Record<string, { latest: string; images: Record<string, string> }>;
  consumers: Record<string, { region: string; projectId: string; version: string; imageId: string; status: string }>;
}

const ws = new PulumiWorkspace("e2e-pipeline");
let emu: TestEmulator;
let env: Record<string, string>;
let analytics: TestProject;
let qa: TestProject;
let dr: TestProject;
const secrets: string[] = [];
/** Seconds and IMS requests of each measured command. */
const measured: Record<string, { seconds: number; requests: number }> = {};

/** The images no consumer may ever be without while `up` runs, checked on every sample. */
function neverWithout(samples: AccessSample[], project: TestProject, allowed: string[], kept?: string): void {
  expect(samples.length).toBeGreaterThan(10);
  for (const sample of samples) {
    const usable = sample[project.id];
    expect({ project: project.name, usable: usable.length > 0 && usable.every((id) => allowed.includes(id)) }).toEqual({ project: project.name, usable: true });
    if (kept !== undefined) expect({ project: project.name, keeps: usable.includes(kept) }).toEqual({ project: project.name, keeps: true });
  }
}

function stackCommands(stack: string) {
  const pulumi = (args: string[]) => ws.pulumi([...args, "--stack", stack], { env });
  const setSpec = (spec: object) => pulumi(["config", "set", "e2e:pipeline", JSON.stringify(spec)]);
  const outputs = async (): Promise<Outputs> => JSON.parse(await pulumi(["stack", "output", "--json"])) as Outputs;
  const resources = async (): Promise<StateResource[]> => {
    const text = await pulumi(["stack", "export"]);
    for (const secret of secrets) expect(text).not.toContain(secret);
    return (JSON.parse(text) as { deployment: { resources?: StateResource[] } }).deployment.resources ?? [];
  };
  /** Runs `up` while watching what the consumers can use; measures it. */
  const watchedUp = async (label: string) => {
    await requestsSince(emu);
    const started = Date.now();
    const { result, samples } = await watchAccess(emu, [analytics.id, qa.id, dr.id], () => pulumi(["up", "--yes", "--skip-preview"]));
    measured[label] = { seconds: (Date.now() - started) / 1000, requests: await requestsSince(emu) };
    return { output: result, samples };
  };
  return { pulumi, setSpec, outputs, resources, watchedUp };
}

/** The private images (not deleted) of the emulator, by region. */
const privateImages = () => emu.world.state.images.filter((i) => i.imagetype === "private" && i.status !== "deleted");

beforeAll(async () => {
  await installPackedProject(ws, "e2e-pipeline", PROGRAM);
  emu = await startTestEmulator({ jobMs: 300 });
  [qa, dr] = await addProjects(emu, [
    { name: `${DR}_qa`, region: DR },
    { name: `${DR}_dr`, region: DR },
  ]);
  analytics = worldProject(emu, `${HOME}_analytics`);
  await putImageFile(emu, "ubuntu-1130.qcow2", makeQcow2(20, 8192));
  await putImageFile(emu, "ubuntu-1201.qcow2", makeQcow2(20, 12288));
  const main = emu.accessKey(HOME);
  env = { HW_ACCESS_KEY: main.access, HW_SECRET_KEY: main.secret };
  for (const [profile, project] of [
    ["analytics", analytics],
    ["qa", qa],
    ["dr", dr],
  ] as const) {
    env[profileSecretEnv(profile)] = project.secret;
    secrets.push(project.secret);
  }
  secrets.push(main.secret);
  for (const stack of ["rollout", "single"]) {
    await ws.pulumi(["stack", "init", stack]);
    const settings = {
      "ims:region": HOME,
      "ims:endpoint": emu.url,
      "ims:authUrl": `${emu.url}/v3`,
      ...profileSettings("analytics", analytics),
      ...profileSettings("qa", qa),
      ...profileSettings("dr", dr),
    };
    for (const [k, v] of Object.entries(settings)) await ws.pulumi(["config", "set", "--path", k, v, "--stack", stack]);
  }
}, 300_000);

afterAll(async () => {
  // The figures of the run, for the README and reviews.
  console.log(`ImagePipeline e2e: ${Object.entries(measured).map(([k, m]) => `${k} ${m.seconds.toFixed(1)} s / ${m.requests} requests`).join("; ")}`);
  await emu?.close();
  ws.cleanup();
});

describe("builds: 1 source → 2 regions → 3 consumer projects, a rollout with a pin, a retirement", () => {
  const stack = stackCommands("rollout");
  const consumers = (pin?: string) => [
    { name: "analytics", projectId: analytics.id, profile: "analytics" },
    { name: "qa", projectId: qa.id, region: DR, profile: "qa", ...(pin ? { pin } : {}) },
    { name: "dr", projectId: dr.id, region: DR, profile: "dr" },
  ];
  let first: Outputs;

  it("an argument that is wrong fails the preview at once, saying which and what to do, once and without a trace", async () => {
    await stack.setSpec({ name: "e2e-golden", builds: [{ version: V1, file: "ubuntu-1130.qcow2" }], consumers: consumers("2026-11-29") });
    const before = emu.snapshot().images.length;
    const result = await ws.pulumiResult(["preview", "--stack", "rollout"], { env });
    expect(result.code).not.toBe(0);
    const shown = `${result.stdout}\n${result.stderr}`;
    const message = 'ImagePipeline "golden": consumers[1].pin "2026-11-29" is not a version of builds ("2026-11-30"): pin one of them, or keep the build "2026-11-29" in builds while a consumer pins it.';
    // One diagnostic, on the pipeline (the progress lines above it repeat the engine's display of it), none on the stack.
    const diagnostics = shown.slice(shown.indexOf("Diagnostics:"));
    expect(diagnostics.split(message)).toHaveLength(2);
    const blocks = diagnostics.split(/\n(?= {2}\S)/);
    expect(blocks.find((b) => b.includes(message))).toMatch(/^ {2}ims:index:ImagePipeline \(golden\):/);
    expect(shown).not.toMatch(/\n\s+at [\w.<>]+ \(/);
    expect(emu.snapshot().images).toHaveLength(before);
  });

  it("up makes the build at home, copies it, shares it with the three projects, each accepting it", async () => {
    await stack.setSpec({ name: "e2e-golden", builds: [{ version: V1, file: "ubuntu-1130.qcow2" }], consumers: consumers() });
    await requestsSince(emu);
    const started = Date.now();
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    measured["up (1 build, 2 regions, 3 consumers)"] = { seconds: (Date.now() - started) / 1000, requests: await requestsSince(emu) };

    first = await stack.outputs();
    const home = first.regions[HOME].latest;
    const copy = first.regions[DR].latest;
    expect(first).toMatchObject({ latestVersion: V1, versions: [V1], regions: { [HOME]: { images: { [V1]: home } }, [DR]: { images: { [V1]: copy } } } });
    expect(first.consumers).toEqual({
      analytics: { region: HOME, projectId: analytics.id, version: V1, imageId: home, status: "accepted" },
      qa: { region: DR, projectId: qa.id, version: V1, imageId: copy, status: "accepted" },
      dr: { region: DR, projectId: dr.id, version: V1, imageId: copy, status: "accepted" },
    });
    expect(privateImages().map((i) => [i.id, i.region, i.owner, i.name]).sort()).toEqual(
      [
        [home, HOME, emu.projectId(HOME), `e2e-golden-${V1}`],
        [copy, DR, emu.projectId(DR), `e2e-golden-${V1}`],
      ].sort(),
    );
    expect([usableImages(emu, analytics.id), usableImages(emu, qa.id), usableImages(emu, dr.id)]).toEqual([[home], [copy], [copy]]);

    const resources = await stack.resources();
    const pipeline = resources.find((r) => r.type === "ims:index:ImagePipeline")!;
    const children = resources.filter((r) => r.urn.includes("ims:index:ImagePipeline$"));
    expect(children.map((r) => r.urn.split("::").pop()).sort()).toEqual(
      ["golden/2026-11-30", "golden/2026-11-30/ap-southeast-3", `golden/2026-11-30/${analytics.id}`, `golden/2026-11-30/${qa.id}`, `golden/2026-11-30/${dr.id}`].sort(),
    );
    expect(children.every((r) => (r as StateResource & { parent?: string }).parent === pipeline.urn)).toBe(true);
    expect(await ws.pulumiResult(["preview", "--expect-no-changes", "--stack", "rollout"], { env })).toMatchObject({ code: 0 });
  });

  it("a second build rolls out: qa stays pinned to the first, the others move, and no one is ever without an image", async () => {
    await stack.setSpec({
      name: "e2e-golden",
      builds: [
        { version: V1, file: "ubuntu-1130.qcow2" },
        { version: V2, file: "ubuntu-1201.qcow2" },
      ],
      consumers: consumers(V1),
    });
    const { output, samples } = await stack.watchedUp("rollout of a new build");
    const now = await stack.outputs();
    const [home1, copy1] = [first.regions[HOME].latest, first.regions[DR].latest];
    const [home2, copy2] = [now.regions[HOME].latest, now.regions[DR].latest];
    expect(now).toMatchObject({ latestVersion: V2, versions: [V1, V2], regions: { [HOME]: { images: { [V1]: home1, [V2]: home2 } }, [DR]: { images: { [V1]: copy1, [V2]: copy2 } } } });
    expect(now.consumers).toMatchObject({
      analytics: { version: V2, imageId: home2, status: "accepted" },
      qa: { version: V1, imageId: copy1, status: "accepted" },
      dr: { version: V2, imageId: copy2, status: "accepted" },
    });

    neverWithout(samples, analytics, [home1, home2]);
    neverWithout(samples, dr, [copy1, copy2]);
    neverWithout(samples, qa, [copy1], copy1);
    // Those that moved had both images for a while: the new one accepted before the old share went.
    expect(samples.some((s) => s[analytics.id].length === 2)).toBe(true);
    expect(samples.some((s) => s[dr.id].length === 2)).toBe(true);
    expect([usableImages(emu, analytics.id), usableImages(emu, qa.id), usableImages(emu, dr.id)]).toEqual([[home2], [copy1], [copy2]]);
    // The first build's images stay (qa is pinned to it); only the moved shares were deleted.
    expect(privateImages()).toHaveLength(4);
    expect(output).toMatch(/\+ 4 created/);
    expect(output).toMatch(/- 2 deleted/);
    expect(output).not.toMatch(/replaced/);
    expect(await ws.pulumiResult(["preview", "--expect-no-changes", "--stack", "rollout"], { env })).toMatchObject({ code: 0 });
  });

  it("retiring the first build moves the pinned consumer, then deletes the first build's images", async () => {
    const before = await stack.outputs();
    const [home1, copy1, home2, copy2] = [before.regions[HOME].images[V1], before.regions[DR].images[V1], before.regions[HOME].images[V2], before.regions[DR].images[V2]];
    await stack.setSpec({ name: "e2e-golden", builds: [{ version: V2, file: "ubuntu-1201.qcow2" }], consumers: consumers() });
    const { samples } = await stack.watchedUp("retirement of the old build");
    neverWithout(samples, qa, [copy1, copy2]);
    neverWithout(samples, analytics, [home2], home2);
    neverWithout(samples, dr, [copy2], copy2);
    expect(samples.some((s) => s[qa.id].length === 2)).toBe(true);

    const now = await stack.outputs();
    expect(now).toMatchObject({ latestVersion: V2, versions: [V2], regions: { [HOME]: { latest: home2, images: { [V2]: home2 } }, [DR]: { latest: copy2, images: { [V2]: copy2 } } } });
    expect(Object.values(now.consumers).map((c) => c.version)).toEqual([V2, V2, V2]);
    expect(privateImages().map((i) => i.id).sort()).toEqual([home2, copy2].sort());
    expect(emu.world.state.images.some((i) => i.id === home1 && i.status === "active")).toBe(false);
  });

  it("destroy leaves nothing in either region or any project", async () => {
    await requestsSince(emu);
    const started = Date.now();
    await stack.pulumi(["destroy", "--yes", "--skip-preview"]);
    measured["destroy"] = { seconds: (Date.now() - started) / 1000, requests: await requestsSince(emu) };
    expect(privateImages()).toEqual([]);
    expect(emu.world.state.images.flatMap((i) => i.members)).toEqual([]);
    for (const project of [analytics, qa, dr]) {
      const listed = await emu.as<{ images: { id: string; __imagetype: string }[] }>(project.name, "GET", "/v2/cloudimages?__imagetype=shared");
      expect(listed.status).toBe(200);
      expect(listed.body.images).toEqual([]);
    }
    expect(await stack.resources()).toEqual([]);
  });
});

describe("source: one build whose change replaces image, copy and shares without deleteBeforeReplace", () => {
  const stack = stackCommands("single");
  const consumers = () => [
    { name: "analytics", projectId: analytics.id, profile: "analytics" },
    { name: "dr", projectId: dr.id, region: DR, profile: "dr" },
  ];

  it("a change of source makes the new image, copy and shares before the old ones are deleted", async () => {
    await stack.setSpec({ name: "e2e-single", file: "ubuntu-1130.qcow2", consumers: consumers() });
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    const before = await stack.outputs();
    expect(before.latestVersion).toBe("current");
    const [home1, copy1] = [before.regions[HOME].latest, before.regions[DR].latest];

    await stack.setSpec({ name: "e2e-single", file: "ubuntu-1201.qcow2", consumers: consumers() });
    const { output, samples } = await stack.watchedUp("source change (replace chain)");
    const after = await stack.outputs();
    const [home2, copy2] = [after.regions[HOME].latest, after.regions[DR].latest];
    expect([home2, copy2]).not.toContain(home1);
    expect(copy2).not.toBe(copy1);
    expect(diffOf(output, "golden/current", "replaced")).toBe("~source");
    expect(diffOf(output, "golden/current/ap-southeast-3", "replaced")).toBe("~sourceImageId");
    expect(diffOf(output, `golden/current/${analytics.id}`, "replaced")).toBe("~imageId");
    expect(diffOf(output, `golden/current/${dr.id}`, "replaced")).toBe("~imageId");
    neverWithout(samples, analytics, [home1, home2]);
    neverWithout(samples, dr, [copy1, copy2]);
    expect([usableImages(emu, analytics.id), usableImages(emu, dr.id)]).toEqual([[home2], [copy2]]);
    expect(privateImages().map((i) => [i.id, i.name]).sort()).toEqual(
      [
        [home2, "e2e-single"],
        [copy2, "e2e-single"],
      ].sort(),
    );

    await stack.pulumi(["destroy", "--yes", "--skip-preview"]);
    expect(privateImages()).toEqual([]);
    expect(emu.world.state.images.flatMap((i) => i.members)).toEqual([]);
  });
});

it("shows no credential in any command's output (the state was checked at each export)", () => {
  expect(ws.transcript.length).toBeGreaterThan(20);
  for (const t of ws.transcript) for (const secret of secrets) expect(`${t.stdout}\n${t.stderr}`).not.toContain(secret);
});
