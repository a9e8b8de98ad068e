/**
 * The second import paths of a PrivateImage and enterprise projects, against ims-emulator over HTTP:
 * a system image imported with data disks in one call (data images as outputs, read on refresh,
 * made again when deleted outside, deleted with the image unless kept, recorded when the job
 * fails, taken over after an interrupted run); an OBS file registered into an image made as
 * metadata; and the enterprise project of every image kind, set at creation and moved in place.
 */
import { makeQcow2, makeVhd } from "../../emulator/domain/disk-format";
import { imageCopyProvider } from "../../provider/copies/lifecycle";
import type { CopyInputs, CopyOutputs } from "../../provider/copies/schema";
import { dataDiskMarker } from "../../provider/images/data-disks";
import { CREATE_MARKER } from "../../provider/images/live";
import type { ImageOutputs } from "../../provider/images/schema";
import type { TestEmulator } from "../helpers/emulator";
import {
  admin,
  AnswerLosingProxy,
  configureFor,
  createWith,
  dataImages,
  driver,
  expectJsonClean,
  MAIN,
  privateImages,
  providerEmulator,
  putObject,
  QCOW2,
  rejection,
  shutdown,
  stored,
  storedTags,
  UBUNTU,
  updateWith,
  withProvider,
  type Raw,
} from "./support";

jest.setTimeout(60_000);

let emu: TestEmulator;
const PLATFORM_TEAM = "af905606-5af8-4a1f-a6ae-aacaf4713b92";
const DISK1 = "images-bucket:disks/db-data.qcow2";
const DISK2 = "images-bucket:disks/db-logs.vhd";
const system = { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU };

beforeAll(async () => {
  emu = await providerEmulator(120);
  await putObject(emu, "images-bucket", "disks/db-data.qcow2", makeQcow2(60));
  await putObject(emu, "images-bucket", "disks/db-logs.vhd", makeVhd(10));
});

afterAll(async () => {
  await shutdown(emu);
});

const check = (kind: typeof privateImages, inputs: Raw) => kind.check({}, withProvider(inputs));
const failures = async (kind: typeof privateImages, inputs: Raw) => ((await check(kind, inputs)).failures ?? []).map((f) => `${f.property}: ${f.reason}`);
const live = (id: string) => stored(emu, id);
const origin = (id: string) => live(id)?.properties.__data_origin;
const enterpriseProject = (id: string) => live(id)?.properties.enterprise_project_id ?? "0";

/** Moves an image to another enterprise project as a user would outside Pulumi (the console's resource migration). */
async function moveOutside(id: string, to: string): Promise<void> {
  const res = await emu.as(MAIN, "PATCH", `/v2/cloudimages/${id}`, { body: [{ op: "replace", path: "/enterprise_project_id", value: to }] });
  if (res.status !== 200) throw new Error(`move: ${res.status} ${res.text}`);
}

describe("a system image with data disks, in one call", () => {
  const inputs = {
    name: "db-server",
    tags: { app: "db" },
    source: {
      ...system,
      dataDisks: [
        { imageUrl: DISK1, minDisk: 100, name: "db-data", description: "PostgreSQL data", tags: { disk: "data" } },
        { imageUrl: DISK2, minDisk: 40 },
      ],
    },
  };
  let made: { id: string; outs: ImageOutputs };

  beforeAll(async () => {
    expect(await failures(privateImages, inputs)).toEqual([]);
    made = await createWith(privateImages, inputs);
  });

  it("makes the system image and one data image per disk, listed in order as outputs", async () => {
    expectJsonClean(made.outs);
    expect(made.outs.status).toBe("active");
    const [data, logs] = made.outs.dataImages!;
    expect(made.outs.dataImages).toHaveLength(2);
    expect(data).toMatchObject({ name: "db-data", imageUrl: DISK1, minDisk: 100, status: "active" });
    expect(logs).toMatchObject({ name: "db-server-data-2", imageUrl: DISK2, minDisk: 40, status: "active" });
    expect(data.sizeBytes).toBeGreaterThan(0);
    expect(origin(data.id)).toBe(`file,${DISK1}`);
    expect(origin(logs.id)).toBe(`file,${DISK2}`);
    for (const d of made.outs.dataImages!) expect(live(d.id)?.virtualEnvType).toBe("DataImage");
    expect(live(data.id)?.description).toBe("PostgreSQL data");
  });

  it("gives each data image its declared tags (else the image's), and leaves no creation marker anywhere", () => {
    const [data, logs] = made.outs.dataImages!;
    expect(storedTags(emu, made.id)).toEqual({ app: "db" });
    expect(storedTags(emu, data.id)).toEqual({ disk: "data" });
    expect(storedTags(emu, logs.id)).toEqual({ app: "db" });
  });

  it("reads the data images on refresh; one deleted outside shows as deleted and the next update makes it again", async () => {
    const [, logs] = made.outs.dataImages!;
    await admin(emu, "DELETE", `/_emulator/images/${logs.id}`);
    const read = await privateImages.read(made.id, made.outs);
    expect(read.props!.dataImages![1]).toMatchObject({ id: "", name: "db-server-data-2", status: "deleted" });
    expect(read.props!.dataImages![0]).toEqual(made.outs.dataImages![0]);

    const diff = await privateImages.diff(made.id, read.props!, read.inputs!);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    expect(diff.stables ?? []).not.toContain("dataImages");

    const outs = await updateWith(privateImages, made.id, read.props!, read.inputs! as unknown as Raw);
    const again = outs.dataImages![1];
    expect(again).toMatchObject({ name: "db-server-data-2", imageUrl: DISK2, status: "active" });
    expect(again.id).not.toBe(logs.id);
    expect(live(again.id)?.virtualEnvType).toBe("DataImage");
    expect(outs.dataImages![0]).toEqual(made.outs.dataImages![0]);
    made = { id: made.id, outs };
    expect((await privateImages.diff(made.id, outs, outs)).changes).toBe(false);
  });

  it("deletes the data images with the system image", async () => {
    await privateImages.delete(made.id, made.outs);
    expect(live(made.id)).toBeUndefined();
    for (const d of made.outs.dataImages!) expect(live(d.id)).toBeUndefined();
  });
});

describe("data disks: keeping, failures, interrupted runs", () => {
  it("keepDataImages leaves the data images in place on delete", async () => {
    const made = await createWith(privateImages, { name: "kept-disks", keepDataImages: true, source: { ...system, dataDisks: [{ imageUrl: DISK1, minDisk: 100 }] } });
    const [data] = made.outs.dataImages!;
    await privateImages.delete(made.id, made.outs);
    expect(live(made.id)).toBeUndefined();
    expect(live(data.id)?.status).toBe("active");
    await admin(emu, "DELETE", `/_emulator/images/${data.id}`);
  });

  it("a failed job records the system and data images, so that the replacement deletes all of them", async () => {
    await admin(emu, "POST", "/_emulator/job-failures", { jobType: "imsImportImageJob", count: 1 });
    const error = await rejection(emu, privateImages.create(withProvider({ name: "failed-disks", source: { ...system, dataDisks: [{ imageUrl: DISK1, minDisk: 100 }, { imageUrl: DISK2, minDisk: 20 }] } })));
    expect(error.message).toMatch(/The next pulumi up replaces the image/);
    const properties = error.properties as unknown as ImageOutputs;
    expect(properties.failure?.code).toBe("IMG.0057");
    expect(properties.dataImages).toHaveLength(2);
    for (const d of properties.dataImages!) expect(live(d.id)?.status).toBe("killed");
    expect(live(error.id as unknown as string)?.status).toBe("killed");

    const diff = await privateImages.diff(error.id as unknown as string, properties, properties);
    expect(diff.replaces).toContain("source");
    await privateImages.delete(error.id as unknown as string, properties);
    for (const id of [error.id as unknown as string, ...properties.dataImages!.map((d) => d.id)]) expect(live(id)).toBeUndefined();
  });

  it("takes over the images of an interrupted run by their markers instead of importing again", async () => {
    const marker = "0123456789abcdef0123456789abcdef";
    const res = await emu.as<{ job_id: string }>(MAIN, "POST", "/v2/cloudimages/action", {
      body: {
        name: "interrupted-disks",
        image_url: QCOW2,
        min_disk: 40,
        os_version: UBUNTU,
        image_tags: [{ key: CREATE_MARKER, value: marker }],
        data_images: [{ image_url: DISK1, min_disk: 100, image_tags: [{ key: CREATE_MARKER, value: dataDiskMarker(marker, 0) }] }],
      },
    });
    expect(res.status).toBe(200);
    const before = emu.world.state.images.length;
    const made = await createWith(privateImages, { name: "interrupted-disks", creationMarker: marker, source: { ...system, dataDisks: [{ imageUrl: DISK1, minDisk: 100 }] } });
    expect(emu.world.state.images.length).toBe(before);
    const [data] = made.outs.dataImages!;
    expect(data).toMatchObject({ name: "interrupted-disks-data-1", status: "active" });
    expect(storedTags(emu, data.id)).toEqual({});
    expect(storedTags(emu, made.id)).toEqual({});
    await privateImages.delete(made.id, made.outs);
    expect(live(data.id)).toBeUndefined();
  });

  it("a data disk under 40 GB deleted outside cannot be made again on its own: the error says to replace the image", async () => {
    const made = await createWith(privateImages, { name: "small-disk", source: { ...system, dataDisks: [{ imageUrl: DISK2, minDisk: 20 }] } });
    await admin(emu, "DELETE", `/_emulator/images/${made.outs.dataImages![0].id}`);
    const read = await privateImages.read(made.id, made.outs);
    const error = await rejection(emu, privateImages.update(made.id, read.props!, withProvider(read.inputs! as unknown as Raw) as never));
    expect(error.message).toMatch(/data disk 1 \(images-bucket:disks\/db-logs\.vhd\) was deleted outside Pulumi.*40 GB.*pulumi up --replace/);
    await privateImages.delete(made.id, read.props!);
    expect(live(made.id)).toBeUndefined();
  });

  it("a system image deleted outside is dropped from the state with a warning naming the data images left", async () => {
    const made = await createWith(privateImages, { name: "orphaned-disks", source: { ...system, dataDisks: [{ imageUrl: DISK2, minDisk: 20 }] } });
    await admin(emu, "DELETE", `/_emulator/images/${made.id}`);
    const warnings: string[] = [];
    const spy = jest.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args.join(" ")));
    const spyLog = jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => void warnings.push(args.join(" ")));
    try {
      expect((await privateImages.read(made.id, made.outs)).id).toBe("");
    } finally {
      spy.mockRestore();
      spyLog.mockRestore();
    }
    const [data] = made.outs.dataImages!;
    expect(warnings.join("\n")).toContain(data.id);
    expect(warnings.join("\n")).toMatch(/no longer managed/);
    await admin(emu, "DELETE", `/_emulator/images/${data.id}`);
  });

  it("check refuses data disks it cannot import, naming each field", async () => {
    const disk = { imageUrl: DISK1, minDisk: 100 };
    expect(await failures(privateImages, { name: "x", source: { ...system, dataDisks: [disk, disk, disk, disk] } })).toEqual([
      expect.stringMatching(/^source\.dataDisks: .*1 to 3 data disks/),
    ]);
    expect(
      await failures(privateImages, {
        name: "x",
        source: { ...system, dataDisks: [{ imageUrl: QCOW2, minDisk: 0 }, { minDisk: 4096, size: 3 }, { imageUrl: "no-colon", minDisk: 10, tags: { "bad key!": "v" } }] },
      }),
    ).toEqual([
      expect.stringMatching(/^source\.dataDisks\[0\]\.imageUrl: .*also source\.imageUrl/),
      expect.stringMatching(/^source\.dataDisks\[0\]\.minDisk: .*1 to 2048/),
      expect.stringMatching(/^source\.dataDisks\[1\]\.size: .*not a field of a data disk/),
      expect.stringMatching(/^source\.dataDisks\[1\]\.imageUrl: .*required/),
      expect.stringMatching(/^source\.dataDisks\[1\]\.minDisk: .*1 to 2048/),
      expect.stringMatching(/^source\.dataDisks\[2\]\.imageUrl: .*bucket:object/),
      expect.stringMatching(/^source\.dataDisks\[2\]\.tags/),
    ]);
    expect(await failures(privateImages, { name: "x", source: { ...system, quickImport: true, dataDisks: [disk] } })).toEqual([expect.stringMatching(/quick import/)]);
    expect(await failures(privateImages, { name: "x", adoptImageId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", source: { ...system, dataDisks: [disk] } })).toEqual([
      expect.stringMatching(/^adoptImageId: .*DataImage/),
    ]);
    expect(await failures(privateImages, { name: "x", keepDataImages: true, source: system })).toEqual([expect.stringMatching(/^keepDataImages: .*source\.dataDisks/)]);
    expect(await failures(privateImages, { name: "x", source: { localFile: "/etc/hostname", minDisk: 40, dataDisks: [disk] } })).toEqual([
      expect.stringMatching(/^source\.dataDisks: .*does not apply/),
    ]);
    expect(await failures(dataImages, { name: "x", keepDataImages: true, source: { imageUrl: DISK1, minDisk: 100, dataDisks: [disk] } })).toEqual([
      expect.stringMatching(/^keepDataImages: .*not an input/),
      expect.stringMatching(/^source\.dataDisks: .*does not apply/),
    ]);
  });
});

describe("registration of an OBS file into an image made as metadata", () => {
  const source = { imageUrl: QCOW2, register: true, minDisk: 40, osVersion: UBUNTU };

  it("creates the image with POST /v2/images, registers the file and waits for its job", async () => {
    await admin(emu, "DELETE", "/_emulator/metrics");
    const { id, outs } = await createWith(privateImages, { name: "registered", tags: { path: "register" }, source });
    expect(outs).toMatchObject({ status: "active", osVersion: UBUNTU, minDisk: 40 });
    expect(outs.jobId).toMatch(/\S/);
    expect(live(id)?.origin.kind).toBe("metadata");
    expect(live(id)?.diskFormat).toBe("qcow2");
    expect(storedTags(emu, id)).toEqual({ path: "register" });
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string; count: number }[] };
    const count = (method: string, route: string) => metrics.routes.filter((r) => r.method === method && r.route === route).reduce((n, r) => n + r.count, 0);
    expect(count("POST", "/v2/images")).toBe(1);
    expect(count("PUT", "/v1/cloudimages/{image_id}/upload")).toBe(1);
    expect(count("POST", "/v2/cloudimages/action")).toBe(0);
    await privateImages.delete(id, outs);
    expect(live(id)).toBeUndefined();
  });

  it("a lost answer to the registration makes no second image and still waits for it", async () => {
    const proxy = await AnswerLosingProxy.start(emu.url);
    try {
      await configureFor(emu, proxy.url);
      proxy.loseAnswers("PUT", /\/upload$/, 1);
      const { id, outs } = await createWith(privateImages, { name: "registered-lost", source });
      expect(proxy.pending()).toBe(0);
      expect(outs.status).toBe("active");
      expect(emu.world.state.images.filter((i) => i.name === "registered-lost" && i.status !== "deleted").map((i) => i.id)).toEqual([id]);
      await privateImages.delete(id, outs);
    } finally {
      await configureFor(emu);
      await proxy.close();
    }
  });

  it("a file that is not there is explained, and the queued image recorded for replacement", async () => {
    const error = await rejection(emu, privateImages.create(withProvider({ name: "registered-missing", source: { ...source, imageUrl: "images-bucket:nothing-here.qcow2" } })));
    expect(error.message).toMatch(/could not be registered: source\.imageUrl names no image file IMS can read .*IMG\.0057/);
    const properties = error.properties as unknown as ImageOutputs;
    expect(properties.failure?.code).toBe("IMG.0057");
    expect((await privateImages.diff(error.id as unknown as string, properties, properties)).replaces).toContain("source");
    await privateImages.delete(error.id as unknown as string, properties);
    expect(live(error.id as unknown as string)).toBeUndefined();
  });

  it("check: only a PrivateImage registers, and only with what a registration takes", async () => {
    expect(await failures(dataImages, { name: "x", source: { imageUrl: QCOW2, minDisk: 40, register: true } })).toEqual([expect.stringMatching(/^source\.register: .*PrivateImage only/)]);
    expect(await failures(privateImages, { name: "x", source: { ...source, osType: "Linux", quickImport: true } })).toEqual([
      expect.stringMatching(/^source\.osType: .*does not apply/),
      expect.stringMatching(/^source\.quickImport: .*does not apply/),
    ]);
    expect(await failures(privateImages, { name: "x", source: { ...source, register: "yes" } })).toEqual([expect.stringMatching(/^source\.register: .*true or false/)]);
    expect(await failures(privateImages, { name: "x", source: { imageUrl: QCOW2, register: true } })).toEqual([expect.stringMatching(/^source\.minDisk: .*required/)]);
  });
});

describe("enterprise projects", () => {
  it("sets the enterprise project at creation, moves the image in place, and shows a move made outside on refresh", async () => {
    const { id, outs } = await createWith(privateImages, { name: "eps-image", enterpriseProjectId: PLATFORM_TEAM, source: system });
    expect(enterpriseProject(id)).toBe(PLATFORM_TEAM);
    expect(outs.enterpriseProjectId).toBe(PLATFORM_TEAM);

    const diff = await privateImages.diff(id, outs, { ...outs, enterpriseProjectId: "0" });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    const moved = await updateWith(privateImages, id, outs, { ...outs, enterpriseProjectId: "0" });
    expect(enterpriseProject(id)).toBe("0");
    expect(moved.enterpriseProjectId).toBe("0");

    await moveOutside(id, PLATFORM_TEAM);
    const read = await privateImages.read(id, moved);
    expect(read.inputs!.enterpriseProjectId).toBe(PLATFORM_TEAM);
    expect((await privateImages.diff(id, read.props!, { ...read.inputs!, enterpriseProjectId: "0" })).changes).toBe(true);
    await privateImages.delete(id, moved);
  });

  it("an undeclared enterprise project is not managed: refresh does not show it, update does not move the image", async () => {
    const { id, outs } = await createWith(privateImages, { name: "eps-undeclared", source: system });
    expect(outs.enterpriseProjectId).toBeUndefined();
    await moveOutside(id, PLATFORM_TEAM);
    const read = await privateImages.read(id, outs);
    expect(read.inputs!.enterpriseProjectId).toBeUndefined();
    expect((await privateImages.diff(id, read.props!, read.inputs!)).changes).toBe(false);
    await updateWith(privateImages, id, read.props!, { ...read.inputs!, description: "touched" });
    expect(enterpriseProject(id)).toBe(PLATFORM_TEAM);
    await privateImages.delete(id, outs);
  });

  it("a registered image, data images from volumes and from data disks land in the declared enterprise project", async () => {
    const registered = await createWith(privateImages, { name: "eps-registered", enterpriseProjectId: PLATFORM_TEAM, source: { imageUrl: QCOW2, register: true, minDisk: 40 } });
    expect(enterpriseProject(registered.id)).toBe(PLATFORM_TEAM);
    const volume = emu.world.state.volumes.find((v) => v.name === "web-01-data")!;
    const data = await createWith(dataImages, { name: "eps-data", enterpriseProjectId: PLATFORM_TEAM, source: { volumeId: volume.id } });
    expect(enterpriseProject(data.id)).toBe(PLATFORM_TEAM);
    const disks = await createWith(privateImages, { name: "eps-disks", enterpriseProjectId: PLATFORM_TEAM, source: { ...system, dataDisks: [{ imageUrl: DISK2, minDisk: 20 }] } });
    expect(enterpriseProject(disks.id)).toBe(PLATFORM_TEAM);
    expect(enterpriseProject(disks.outs.dataImages![0].id)).toBe(PLATFORM_TEAM);
    await privateImages.delete(registered.id, registered.outs);
    await dataImages.delete(data.id, data.outs);
    await privateImages.delete(disks.id, disks.outs);
  });

  it("an ImageCopy to another region is moved to its enterprise project after the copy, and moved again in place", async () => {
    const copies = driver<CopyInputs, CopyOutputs>(imageCopyProvider);
    const source = await createWith(privateImages, { name: "eps-copy-source", source: system });
    const { id, outs } = await copies.create({
      sourceImageId: source.id,
      name: "eps-copy",
      targetRegion: "ap-southeast-3",
      agencyName: "ims_admin_agency",
      enterpriseProjectId: PLATFORM_TEAM,
    });
    expect(enterpriseProject(id)).toBe(PLATFORM_TEAM);
    const diff = await imageCopyProvider.diff(id, outs, { ...outs, enterpriseProjectId: "0" });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    await imageCopyProvider.update(id, outs, withProvider({ ...outs, enterpriseProjectId: "0" }) as unknown as CopyInputs);
    expect(enterpriseProject(id)).toBe("0");
    await imageCopyProvider.delete(id, outs);
    await privateImages.delete(source.id, source.outs);
  });

  it("check names the field for a malformed id; the service's refusal of an unknown one is explained", async () => {
    expect(await failures(privateImages, { name: "x", enterpriseProjectId: "default", source: system })).toEqual([expect.stringMatching(/^enterpriseProjectId: .*"0".*UUID/)]);
    const error = await rejection(emu, privateImages.create(withProvider({ name: "eps-unknown", enterpriseProjectId: "11111111-2222-4333-8444-555555555555", source: system })));
    expect(error.message).toMatch(/IMG\.0155/);
    expect(error.message).toMatch(/enterprise project/);
    expect(emu.world.state.images.filter((i) => i.name === "eps-unknown" && i.status !== "deleted")).toEqual([]);
  });
});
