/**
 * ImageExport against ims-emulator over real HTTP: qcow2, vmdk and quick exports whose files are
 * read back from the emulator's object store; refresh after the image is deleted; delete that
 * leaves the file and says so; each refusal of the service explained by code, nothing written; a
 * failed export job; a job that outlives timeouts.create, waited for by the next up; a lost answer
 * and an interrupted run's export that never make a second export.
 */
import { inspectDisk } from "../../emulator/domain/disk-format";
import { imageExportProvider } from "../../provider/exports/lifecycle";
import type { ExportInputs, ExportOutputs } from "../../provider/exports/schema";
import type { ImsResourceProvider } from "../../provider/types";
import type { TestEmulator } from "../helpers/emulator";
import { admin, AnswerLosingProxy, configureFor, driver, MAIN, md5, providerEmulator, putObject, QCOW2, rejection, shutdown, UBUNTU, withProvider, type Raw } from "./support";

const exporter: ImsResourceProvider<ExportInputs, ExportOutputs> = imageExportProvider;
const { check, create } = driver<ExportInputs, ExportOutputs>(exporter);
const EXPORT_JOB = "imsNativeExportImageJob";
const REMOTE = "ap-southeast-3";

let emu: TestEmulator;
let imageId: string;

beforeAll(async () => {
  emu = await providerEmulator(100);
  imageId = await emu.privateImage("export-source");
});

afterAll(async () => {
  await shutdown(emu);
});

afterEach(() => jest.restoreAllMocks());

/** The bytes of `bucket:key` in the emulator's object store, read over its admin API (undefined: no such object). */
async function stored(bucketUrl: string): Promise<Buffer | undefined> {
  const at = bucketUrl.indexOf(":");
  const res = await fetch(`${emu.url}/_emulator/objects/${bucketUrl.slice(0, at)}/${bucketUrl.slice(at + 1)}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET object ${bucketUrl}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Export requests (`POST /v1/cloudimages/{image_id}/file`) the emulator answered, by status, since the metrics were reset. */
async function exportRequests(): Promise<Record<number, number>> {
  const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string; status: number; count: number }[] };
  const routes = metrics.routes.filter((r) => r.method === "POST" && r.route === "/v1/cloudimages/{image_id}/file");
  return Object.fromEntries(routes.map((r) => [r.status, r.count]));
}

/** Console lines of the provider while `work` runs. */
async function linesOf<T>(work: () => Promise<T>): Promise<{ result: T; warnings: string[]; logs: string[] }> {
  const warnings: string[] = [];
  const logs: string[] = [];
  jest.spyOn(console, "warn").mockImplementation((...a: unknown[]) => void warnings.push(a.join(" ")));
  jest.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
  try {
    return { result: await work(), warnings, logs };
  } finally {
    jest.restoreAllMocks();
  }
}

const setExportJobMs = (ms: number) => admin(emu, "PUT", "/_emulator/timing", { perType: { [EXPORT_JOB]: ms } });

/** A private image made by an emulator call in the main project; returns its id. */
async function imageFrom(path: string, body: Record<string, unknown>): Promise<string> {
  const job = await emu.job(MAIN, "POST", path, body);
  if (job.status !== "SUCCESS") throw new Error(`making an image failed: ${JSON.stringify(job)}`);
  return (job.entities as { image_id: string }).image_id;
}

describe("check, with the provider's settings", () => {
  it("reports every failing field at once, before any request", async () => {
    await admin(emu, "DELETE", "/_emulator/metrics");
    const result = await check({ imageId, bucketUrl: "obs://images-bucket/web.qcow2", fileFormat: "qcow2", quickExport: true, colour: "blue" });
    expect(result.failures?.map((f) => f.property).sort()).toEqual(["bucketUrl", "colour", "fileFormat"]);
    expect(await exportRequests()).toEqual({});
  });
});

describe("exports", () => {
  it("writes a qcow2 file: the image's own file, recorded with what was exported", async () => {
    const declared = { imageId, bucketUrl: "images-bucket:exports/web.qcow2", fileFormat: "qcow2" };
    const { id, outs } = await create(declared);
    expect(id).toBe("images-bucket:exports/web.qcow2");
    expect(outs).toEqual({
      ...declared,
      imageRegion: MAIN,
      projectId: emu.projectId(MAIN),
      bucket: "images-bucket",
      objectKey: "exports/web.qcow2",
      exportedFormat: "qcow2",
      status: "exported",
      jobId: expect.stringMatching(/^[0-9a-f]{32}$/),
      exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      imageName: "export-source",
      imageSizeBytes: expect.any(Number),
      imageDiskFormat: "qcow2",
      imageStatus: "active",
    });
    const file = await stored(declared.bucketUrl);
    expect(inspectDisk(file!).format).toBe("qcow2");
    expect(md5(file!)).toBe(md5((await stored(QCOW2))!));
    expect(await exporter.diff(id, outs, withProvider(declared) as unknown as ExportInputs)).toMatchObject({ changes: false });
  });

  it("writes a vmdk file declaring the image's disk", async () => {
    const { outs } = await create({ imageId, bucketUrl: "images-bucket:exports/web.vmdk", fileFormat: "vmdk" });
    expect(outs).toMatchObject({ exportedFormat: "vmdk", status: "exported", imageDiskFormat: "qcow2" });
    const disk = inspectDisk((await stored("images-bucket:exports/web.vmdk"))!);
    expect(disk.format).toBe("vmdk");
    expect(disk.virtualSize).toBe(inspectDisk((await stored(QCOW2))!).virtualSize);
  });

  it("exports quickly as ZVHD2, sending no format", async () => {
    const { outs } = await create({ imageId, bucketUrl: "images-bucket:exports/web.zvhd2", quickExport: true });
    expect(outs).toMatchObject({ exportedFormat: "zvhd2", quickExport: true, status: "exported" });
    expect(outs.fileFormat).toBeUndefined();
    // The emulator writes ZVHD2 VHD-structured (and refuses a quick export that names a format).
    expect(inspectDisk((await stored("images-bucket:exports/web.zvhd2"))!).format).toBe("vhd");
  });

  it("two exports of one image at once: the second waits for the first (IMG.0148), both files are written", async () => {
    const { result, logs } = await linesOf(() =>
      Promise.all([
        create({ imageId, bucketUrl: "images-bucket:together/a.qcow2", fileFormat: "qcow2" }),
        create({ imageId, bucketUrl: "images-bucket:together/b.vhd", fileFormat: "vhd" }),
      ]),
    );
    expect(result.map((r) => r.outs.status)).toEqual(["exported", "exported"]);
    expect(new Set(result.map((r) => r.outs.jobId)).size).toBe(2);
    expect(logs).toEqual([expect.stringMatching(/another export of image .* is running \(IMG\.0148\); waiting for it to end/)]);
    expect(inspectDisk((await stored("images-bucket:together/a.qcow2"))!).format).toBe("qcow2");
    expect(inspectDisk((await stored("images-bucket:together/b.vhd"))!).format).toBe("vhd");
  });
});

describe("refresh and delete", () => {
  it("refresh reads the image; one deleted since shows as deleted, and the export stays in the state", async () => {
    const own = await emu.privateImage("export-then-delete");
    const { id, outs } = await create({ imageId: own, bucketUrl: "images-bucket:exports/gone.qcow2", fileFormat: "qcow2" });
    const read = await exporter.read(id, outs);
    expect(read).toEqual({ id, props: outs, inputs: { imageId: own, bucketUrl: "images-bucket:exports/gone.qcow2", fileFormat: "qcow2" } });

    await admin(emu, "DELETE", `/_emulator/images/${own}`);
    const after = await exporter.read(id, outs);
    expect(after.id).toBe(id);
    expect(after.props).toEqual({ ...outs, imageStatus: "deleted" });
    expect(await exporter.diff(id, after.props!, after.inputs!)).toMatchObject({ changes: false });
    expect(await stored("images-bucket:exports/gone.qcow2")).toBeDefined();
  });

  it("delete removes nothing from OBS and warns once, saying how to remove the file", async () => {
    const { id, outs } = await create({ imageId, bucketUrl: "images-bucket:exports/kept.qcow2", fileFormat: "qcow2" });
    await admin(emu, "DELETE", "/_emulator/metrics");
    const { warnings } = await linesOf(() => exporter.delete(id, outs));
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: ImageExport \(image .* to images-bucket:exports\/kept\.qcow2\): the file images-bucket:exports\/kept\.qcow2 stays in OBS: .*obsutil rm obs:\/\/images-bucket\/exports\/kept\.qcow2/),
    ]);
    expect(await stored("images-bucket:exports/kept.qcow2")).toBeDefined();
    // No request to IMS (or IAM) at all.
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { route: string }[] };
    expect(metrics.routes.filter((r) => !r.route.startsWith("/_emulator/"))).toEqual([]);
  });

  it("a change of credentials or time budgets is recorded without exporting again", async () => {
    const { id, outs } = await create({ imageId, bucketUrl: "images-bucket:exports/budget.qcow2", fileFormat: "qcow2" });
    const news = { imageId, bucketUrl: "images-bucket:exports/budget.qcow2", fileFormat: "qcow2", timeouts: { create: "2h" } };
    expect(await exporter.diff(id, outs, news as ExportInputs)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    await admin(emu, "DELETE", "/_emulator/metrics");
    const { outs: after } = await exporter.update(id, outs, withProvider(news) as unknown as ExportInputs);
    expect(after).toEqual({ ...outs, timeouts: { create: "2h" } });
    expect(await exportRequests()).toEqual({});
  });
});

describe("what the service refuses, explained and nothing written", () => {
  const refused = async (inputs: Raw, message: RegExp, code: string) => {
    const error = await rejection(emu, create(inputs));
    expect(error.message).toMatch(message);
    expect(error.message).toContain(code);
    // Not recorded: no partial export in the state.
    expect(error.id).toBeUndefined();
    const url = inputs.bucketUrl as string;
    if (!url.endsWith("exists.qcow2")) expect(await stored(url)).toBeUndefined();
  };

  it("a public image (IMG.0077)", async () => {
    const ubuntu = emu.world.state.images.find((i) => i.imagetype === "gold" && i.region === MAIN)!;
    await refused({ imageId: ubuntu.id, bucketUrl: "images-bucket:refused/public.qcow2", fileFormat: "qcow2" }, /public images cannot be exported/, "IMG.0077");
  });

  it("an image made from an Ubuntu public image, through a server (IMG.0071)", async () => {
    const server = emu.world.state.servers.find((s) => s.name === "web-01")!;
    const fromServer = await imageFrom("/v2/cloudimages/action", { name: "from-web-01", instance_id: server.id });
    await refused(
      { imageId: fromServer, bucketUrl: "images-bucket:refused/derived.qcow2", fileFormat: "qcow2" },
      /IMS does not export this image: images made from a Windows, SUSE, Red Hat, Ubuntu or Oracle Linux public image/,
      "IMG.0071",
    );
  });

  it("a full-ECS image (IMG.0128)", async () => {
    const whole = await imageFrom("/v1/cloudimages/wholeimages/action", { name: "whole", backup_id: emu.world.state.backups[0].id, whole_image_type: "CBR" });
    await refused({ imageId: whole, bucketUrl: "images-bucket:refused/whole.qcow2", fileFormat: "qcow2" }, /full-ECS images cannot be exported: export an image of the server's system disk/, "IMG.0128");
  });

  it("an ISO image (IMG.0167)", async () => {
    const iso = Buffer.alloc(0x9000);
    iso.write("CD001", 0x8001, "latin1");
    await putObject(emu, "images-bucket", "export-installer.iso", iso);
    const fromIso = await imageFrom("/v2/cloudimages/action", { name: "iso", image_url: "images-bucket:export-installer.iso", min_disk: 1, type: "IsoImage", os_version: UBUNTU });
    await refused({ imageId: fromIso, bucketUrl: "images-bucket:refused/iso.qcow2", fileFormat: "qcow2" }, /images made from ISO files cannot be exported/, "IMG.0167");
  });

  it("an image over 128 GB exported normally (IMG.0160): the advice is a quick export, which works", async () => {
    const volume = (await admin(emu, "POST", "/_emulator/volumes", { name: "big-system", sizeGb: 200, bootable: true })) as { id: string };
    const big = await imageFrom("/v2/cloudimages/action", { name: "big", volume_id: volume.id, os_version: UBUNTU });
    await refused({ imageId: big, bucketUrl: "images-bucket:refused/big.qcow2", fileFormat: "qcow2" }, /over 128 GB, the most a normal export takes: set quickExport: true and remove fileFormat/, "IMG.0160");
    const { outs } = await create({ imageId: big, bucketUrl: "images-bucket:exports/big.zvhd2", quickExport: true });
    expect(outs).toMatchObject({ status: "exported", exportedFormat: "zvhd2", imageSizeBytes: 200 * 1024 ** 3 });
    expect(inspectDisk((await stored("images-bucket:exports/big.zvhd2"))!).virtualSize).toBe(200 * 1024 ** 3);
  });

  it("an encrypted image exported quickly (IMG.0071): the advice is a normal export, which works", async () => {
    const encrypted = await imageFrom("/v2/cloudimages/action", { name: "encrypted", image_url: QCOW2, min_disk: 40, os_version: UBUNTU, cmk_id: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9" });
    await refused({ imageId: encrypted, bucketUrl: "images-bucket:refused/encrypted.zvhd2", quickExport: true }, /an encrypted image cannot be exported quickly: remove quickExport and give fileFormat/, "IMG.0071");
    expect((await create({ imageId: encrypted, bucketUrl: "images-bucket:exports/encrypted.qcow2", fileFormat: "qcow2" })).outs.status).toBe("exported");
  });

  it("a bucket of another region (IMG.0058), and one that does not exist (IMG.0069)", async () => {
    const res = await emu.request("PUT", `/_emulator/objects/dr-bucket-3/readme.txt?region=${REMOTE}`, { raw: Buffer.from("a bucket of the other region") });
    expect(res.status).toBe(201);
    await refused(
      { imageId, bucketUrl: "dr-bucket-3:refused/elsewhere.qcow2", fileFormat: "qcow2" },
      new RegExp(`bucket dr-bucket-3 is not in ${MAIN}, the image's region: export into a bucket of ${MAIN}`),
      "IMG.0058",
    );
    await refused({ imageId, bucketUrl: "no-such-bucket:refused/x.qcow2", fileFormat: "qcow2" }, /bucket no-such-bucket does not exist, or IMS cannot write to it: create it in ap-southeast-1/, "IMG.0069");
  });

  it("a file that exists (IMG.0070): the file stays after an export, so another name, e.g. with the image id", async () => {
    await putObject(emu, "images-bucket", "refused/exists.qcow2", (await stored(QCOW2))!);
    await refused(
      { imageId, bucketUrl: "images-bucket:refused/exists.qcow2", fileFormat: "qcow2" },
      new RegExp(`exists already, and IMS never writes over a file\\. An export leaves its file in place.*\\(images-bucket:refused/exists-${imageId}\\.qcow2\\)`),
      "IMG.0070",
    );
  });

  it("an image that is not visible to the project, before any export request", async () => {
    await admin(emu, "DELETE", "/_emulator/metrics");
    const error = await rejection(emu, create({ imageId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", bucketUrl: "images-bucket:refused/none.qcow2", fileFormat: "qcow2" }));
    expect(error.message).toMatch(/image 3f7185de-b59a-4bb8-aa1d-7a513528b0e9 does not exist in project \w+ \(ap-southeast-1\), or is not visible to it/);
    expect(await exportRequests()).toEqual({});
  });
});

describe("jobs that fail or outlive the create", () => {
  it("a failed export job is explained, records nothing, and the next create exports again", async () => {
    await admin(emu, "POST", "/_emulator/job-failures", { jobType: EXPORT_JOB, count: 1, errorCode: "IMG.0069", failReason: "Injected: the bucket went away." });
    const declared = { imageId, bucketUrl: "images-bucket:retry/web.qcow2", fileFormat: "qcow2" };
    const error = await rejection(emu, create(declared));
    expect(error.message).toMatch(/bucket images-bucket does not exist, or IMS cannot write to it.*Injected: the bucket went away\..*The next pulumi up exports again\./);
    expect(error.id).toBeUndefined();
    expect(await stored(declared.bucketUrl)).toBeUndefined();
    expect((await create(declared)).outs.status).toBe("exported");
  });

  it("a job that outlives timeouts.create is recorded as exporting, and the next up waits for the same job", async () => {
    await setExportJobMs(2500);
    try {
      const declared = { imageId, bucketUrl: "images-bucket:slow/web.qcow2", fileFormat: "qcow2", timeouts: { create: "1s" } };
      const error = await rejection(emu, create(declared));
      expect(error.message).toMatch(/still (INIT|RUNNING) after 1 s/);
      const properties = error.properties as ExportOutputs & Raw;
      expect(error.id).toBe(declared.bucketUrl);
      expect(properties).toMatchObject({ status: "exporting", pendingJobId: properties.jobId, __provider: expect.any(String) });
      // Refresh while it runs: still exporting.
      expect((await exporter.read(error.id as string, properties)).props).toMatchObject({ status: "exporting", pendingJobId: properties.jobId });

      const news = { ...declared, timeouts: { create: "20s" } };
      expect(await exporter.diff(error.id as string, properties, news as ExportInputs)).toMatchObject({ changes: true, replaces: [] });
      await admin(emu, "DELETE", "/_emulator/metrics");
      const { outs } = await exporter.update(error.id as string, properties, withProvider(news) as unknown as ExportInputs);
      expect(outs).toMatchObject({ status: "exported", jobId: properties.jobId, exportedAt: expect.any(String) });
      expect(outs!.pendingJobId).toBeUndefined();
      expect(await exportRequests()).toEqual({});
      expect(inspectDisk((await stored(declared.bucketUrl))!).format).toBe("qcow2");
      expect(await exporter.diff(error.id as string, outs!, news as ExportInputs)).toMatchObject({ changes: false });
    } finally {
      await setExportJobMs(100);
    }
  });

  it("a job left running that then fails: refresh records it, and the next up exports again", async () => {
    await setExportJobMs(1500);
    try {
      await admin(emu, "POST", "/_emulator/job-failures", { jobType: EXPORT_JOB, count: 1, errorCode: "IMG.0061", failReason: "Injected: the export broke." });
      const declared = { imageId, bucketUrl: "images-bucket:slow/broken.qcow2", fileFormat: "qcow2", timeouts: { create: "1s" } };
      const error = await rejection(emu, create(declared));
      const properties = error.properties as ExportOutputs;
      await new Promise((r) => setTimeout(r, 1600));
      const read = await exporter.read(error.id as string, properties);
      expect(read.props).toMatchObject({ status: "failed", failure: { code: "IMG.0061", reason: "Injected: the export broke." } });
      expect(read.props!.pendingJobId).toBeUndefined();
      expect(await exporter.diff(error.id as string, read.props!, declared as ExportInputs)).toMatchObject({ changes: true, replaces: ["bucketUrl"] });
      const { warnings } = await linesOf(() => exporter.delete(error.id as string, read.props!));
      expect(warnings).toEqual([]);
    } finally {
      await setExportJobMs(100);
    }
  });
});

describe("reliability", () => {
  it("a lost answer to the export request never starts a second export: the running one is waited for, and its file taken", async () => {
    await setExportJobMs(1500);
    const proxy = await AnswerLosingProxy.start(emu.url);
    try {
      await configureFor(emu, proxy.url);
      await admin(emu, "DELETE", "/_emulator/metrics");
      proxy.loseAnswers("POST", /\/file$/, 1);
      const declared = { imageId, bucketUrl: "images-bucket:lost/web.qcow2", fileFormat: "qcow2" };
      const { result, warnings } = await linesOf(() => create(declared));
      expect(proxy.pending()).toBe(0);
      expect(result.outs).toMatchObject({ status: "exported", exportedFormat: "qcow2" });
      expect(result.outs.jobId).toBeUndefined();
      expect(warnings).toEqual([expect.stringMatching(/exists since it ended: it is taken as this export's file .* cannot check the file/)]);
      // One export ran; every later request was refused (IMG.0148 while it ran, IMG.0070 once it had written the file).
      const requests = await exportRequests();
      expect(requests[200]).toBe(1);
      expect(requests[400]).toBeGreaterThanOrEqual(2);
      expect(emu.world.state.jobs.filter((j) => j.type === EXPORT_JOB && (j.effect as { key?: string }).key === "lost/web.qcow2")).toHaveLength(1);
      expect(inspectDisk((await stored(declared.bucketUrl))!).format).toBe("qcow2");
    } finally {
      await configureFor(emu);
      await proxy.close();
      await setExportJobMs(100);
    }
  });

  it("the export of an interrupted run, still running, is waited for and taken over instead of exported again", async () => {
    await setExportJobMs(1500);
    try {
      const bucketUrl = "images-bucket:interrupted/web.qcow2";
      // What the interrupted run sent before it died.
      const sent = await emu.as<{ job_id: string }>(MAIN, "POST", `/v1/cloudimages/${imageId}/file`, { body: { bucket_url: bucketUrl, file_format: "qcow2" } });
      expect(sent.status).toBe(200);
      await admin(emu, "DELETE", "/_emulator/metrics");
      const { result, warnings } = await linesOf(() => create({ imageId, bucketUrl, fileFormat: "qcow2" }));
      expect(result.outs).toMatchObject({ status: "exported", bucketUrl });
      expect(warnings).toHaveLength(1);
      expect((await exportRequests())[200]).toBeUndefined();
      expect(emu.world.state.jobs.filter((j) => j.type === EXPORT_JOB && (j.effect as { key?: string }).key === "interrupted/web.qcow2")).toHaveLength(1);
    } finally {
      await setExportJobMs(100);
    }
  });
});
