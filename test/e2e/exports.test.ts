/**
 * ImageExport with the real Pulumi CLI, pulumi-ims installed from its npm tarball, against
 * ims-emulator: a normal and a quick export of one image in one up (the second waits for the first);
 * preview after up and a refresh show no change; a change of file and format exports again and
 * leaves the old file, saying so; a format change to the same file is refused once, with why and
 * what to do; a refresh after the image was deleted outside succeeds; destroy leaves both files in
 * the bucket and says so for each.
 */
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { diffOf, initEmulatorStack, installPackedProject, PulumiWorkspace, type StateResource } from "../helpers/pulumi-cli";

jest.setTimeout(240_000);

const EXPORT = "pulumi-nodejs:dynamic/ims:ImageExport";

const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const ims = require("pulumi-ims");
const config = new pulumi.Config("e2e");
const base = new ims.PrivateImage("base", {
  name: "e2e-export-source",
  source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
});
const file = new ims.ImageExport("file", {
  imageId: base.id,
  bucketUrl: config.get("bucketUrl") || "images-bucket:e2e/web.qcow2",
  fileFormat: config.get("format") || "qcow2",
});
const quick = new ims.ImageExport("quick", { imageId: base.id, bucketUrl: "images-bucket:e2e/web.zvhd2", quickExport: true });
exports.file = { id: file.id, status: file.status, exportedFormat: file.exportedFormat, jobId: file.jobId, imageStatus: file.imageStatus };
exports.quick = { id: quick.id, status: quick.status, exportedFormat: quick.exportedFormat, jobId: quick.jobId };
`;

describe("ImageExport: export, refresh, re-export, a refusal, destroy", () => {
  const ws = new PulumiWorkspace("e2e-exports");
  let emu: TestEmulator;
  let env: Record<string, string>;

  const pulumi = (args: string[]) => ws.pulumi([...args, "--stack", "exports"], { env });
  const pulumiResult = (args: string[]) => ws.pulumiResult([...args, "--stack", "exports"], { env });
  const object = (bucketUrl: string) => {
    const at = bucketUrl.indexOf(":");
    return emu.world.object(bucketUrl.slice(0, at), bucketUrl.slice(at + 1));
  };
  const exportsInState = async (): Promise<Record<string, StateResource>> => {
    const state = await ws.exportStack("exports");
    return Object.fromEntries((state.deployment.resources ?? []).filter((r) => r.type === EXPORT).map((r) => [r.urn.split("::").pop()!, r]));
  };
  const exportJobs = () => emu.world.state.jobs.filter((j) => j.type === "imsNativeExportImageJob");
  /** How often `pattern` occurs in `text`. */
  const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, "g")) ?? []).length;
  /** The run's own diagnostics (after those of the preview that up shows first): each message is listed there once. */
  const diagnosticsOf = (output: string) => output.slice(output.lastIndexOf("Diagnostics:"));

  beforeAll(async () => {
    await installPackedProject(ws, "e2e-exports", PROGRAM, { javascript: true });
    emu = await startTestEmulator({ jobMs: 300 });
    env = await initEmulatorStack(ws, "exports", emu.url, emu.accessKey("ap-southeast-1"));
  }, 240_000);

  afterAll(async () => {
    await emu?.close();
    ws.cleanup();
  });

  it("up writes both files, one export job each; preview and refresh then change nothing", async () => {
    await pulumi(["up", "--yes"]);
    const out = JSON.parse(await pulumi(["stack", "output", "--json"])) as Record<string, Record<string, string>>;
    expect(out.file).toMatchObject({ id: "images-bucket:e2e/web.qcow2", status: "exported", exportedFormat: "qcow2", jobId: expect.stringMatching(/^[0-9a-f]{32}$/), imageStatus: "active" });
    expect(out.quick).toMatchObject({ id: "images-bucket:e2e/web.zvhd2", status: "exported", exportedFormat: "zvhd2" });
    expect(object("images-bucket:e2e/web.qcow2")).toBeDefined();
    expect(object("images-bucket:e2e/web.zvhd2")).toBeDefined();
    expect(exportJobs()).toHaveLength(2);
    expect(await pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
    const refresh = await pulumi(["refresh", "--yes"]);
    expect(diffOf(refresh, "file", "updated")).toBeUndefined();
    expect(await pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("a new file and format export again; the old file stays, and the output says so once", async () => {
    await pulumi(["config", "set", "e2e:bucketUrl", "images-bucket:e2e/web.vmdk"]);
    await pulumi(["config", "set", "e2e:format", "vmdk"]);
    const up = await pulumiResult(["up", "--yes"]);
    const output = `${up.stdout}\n${up.stderr}`;
    expect(up.code).toBe(0);
    expect(diffOf(output, "file", "replaced")).toBe("~bucketUrl,fileFormat");
    expect(diffOf(output, "quick", "replaced")).toBeUndefined();
    expect(object("images-bucket:e2e/web.vmdk")).toBeDefined();
    expect(object("images-bucket:e2e/web.qcow2")).toBeDefined();
    expect(count(diagnosticsOf(output), /the file images-bucket:e2e\/web\.qcow2 stays in OBS/)).toBe(1);
    expect(output).toContain("obsutil rm obs://images-bucket/e2e/web.qcow2");
    expect((await exportsInState()).file.id).toBe("images-bucket:e2e/web.vmdk");
    expect(exportJobs()).toHaveLength(3);
  });

  it("another format to the same file: preview warns, and up is refused once, saying why and what to do", async () => {
    await pulumi(["config", "set", "e2e:format", "vhd"]);
    const preview = await pulumiResult(["preview"]);
    expect(preview.code).toBe(0);
    expect(`${preview.stdout}\n${preview.stderr}`).toMatch(/fileFormat changed, so the image is exported again, to the same bucketUrl; .*IMG\.0070/);

    const up = await pulumiResult(["up", "--yes"]);
    expect(up.code).not.toBe(0);
    const output = `${up.stdout}\n${up.stderr}`;
    const diagnostics = diagnosticsOf(output);
    const refusal = /images-bucket:e2e\/web\.vmdk exists already, and IMS never writes over a file\. An export leaves its file in place/;
    expect(count(diagnostics, refusal)).toBe(1);
    expect(diagnostics.split(/\n(?= {2}\S)/).find((block) => block.includes("ImageExport (file)"))).toMatch(refusal);
    expect(diagnostics).toMatch(/e\.g\. with the image id or a date \(images-bucket:e2e\/web-[0-9a-f-]{36}\.vmdk\)/);
    expect(output).not.toMatch(/\n\s+at [\w.<>]+ \(/);
    // Nothing changed: the export of the vmdk file is still the recorded one.
    expect((await exportsInState()).file.outputs).toMatchObject({ fileFormat: "vmdk", status: "exported" });
    expect(exportJobs()).toHaveLength(3);
    await pulumi(["config", "set", "e2e:format", "vmdk"]);
    expect(await pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("refresh after the image was deleted outside succeeds, and shows it as deleted", async () => {
    const image = emu.world.state.images.find((i) => i.name === "e2e-export-source" && i.status !== "deleted")!;
    expect((await emu.request("DELETE", `/_emulator/images/${image.id}`)).status).toBe(204);
    await pulumi(["refresh", "--yes"]);
    const state = await exportsInState();
    expect(state.file.outputs).toMatchObject({ imageStatus: "deleted", status: "exported" });
    expect(state.quick.outputs).toMatchObject({ imageStatus: "deleted" });
  });

  it("destroy leaves every exported file in the bucket, and says so for each", async () => {
    const destroy = await pulumiResult(["destroy", "--yes"]);
    expect(destroy.code).toBe(0);
    const output = `${destroy.stdout}\n${destroy.stderr}`;
    expect(count(diagnosticsOf(output), /the file images-bucket:e2e\/web\.vmdk stays in OBS/)).toBe(1);
    expect(count(diagnosticsOf(output), /the file images-bucket:e2e\/web\.zvhd2 stays in OBS/)).toBe(1);
    expect(await exportsInState()).toEqual({});
    for (const url of ["images-bucket:e2e/web.qcow2", "images-bucket:e2e/web.vmdk", "images-bucket:e2e/web.zvhd2"]) expect(object(url)).toBeDefined();
    for (const run of ws.transcript) expect(`${run.stdout}${run.stderr}`).not.toContain(env.HW_SECRET_KEY);
  });
});
