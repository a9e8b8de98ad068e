/**
 * create of PrivateImage and DataImage from every source, against ims-emulator over HTTP: the
 * outputs are JSON-clean live attributes, the tags are the declared ones, and the temporary
 * creation marker is gone from the image afterwards.
 */
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { CREATE_MARKER } from "../../provider/images/live";
import type { ImageOutputs } from "../../provider/images/schema";
import type { TestEmulator } from "../helpers/emulator";
import {
  createWith,
  dataImages,
  expectJsonClean,
  imagesNamed,
  MAIN,
  md5,
  privateImages,
  providerEmulator,
  putObject,
  QCOW2,
  rejection,
  shutdown,
  stored,
  storedTags,
  UBUNTU,
  VHD,
  withProvider,
  type Raw,
} from "./support";

let emu: TestEmulator;
let dir: string;
let projectId: string;

beforeAll(async () => {
  emu = await providerEmulator(120);
  projectId = emu.projectId(MAIN);
  dir = mkdtempSync(join(tmpdir(), "pulumi-ims-provider-"));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdown(emu);
});

const server = () => emu.world.state.servers.find((s) => s.name === "web-01")!;
const volume = (name: string) => emu.world.state.volumes.find((v) => v.name === name)!;
const object = (key: string) => emu.world.state.objects.find((o) => o.bucket === "images-bucket" && o.key === key)!;

/** Creates through the provider and checks what every creation must hold. */
async function created(provider: typeof privateImages, inputs: Raw): Promise<{ id: string; outs: ImageOutputs }> {
  const { id, outs } = await createWith(provider, inputs);
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expectJsonClean(outs);
  expect(outs).toMatchObject({ ...inputs, status: "active", imageRegion: MAIN, projectId });
  expect(outs).not.toHaveProperty("__provider");
  expect(outs).not.toHaveProperty("pendingJobId");
  expect(outs).not.toHaveProperty("failure");
  expect(typeof outs.createdAt).toBe("string");
  expect(Date.parse(outs.createdAt)).not.toBeNaN();
  expect(Date.parse(outs.updatedAt)).not.toBeNaN();
  // One image, active, with the declared tags and no creation marker left.
  expect(imagesNamed(emu, inputs.name as string)).toHaveLength(1);
  const image = stored(emu, id)!;
  expect(image.status).toBe("active");
  expect(storedTags(emu, id)).toEqual(inputs.tags ?? {});
  expect(image.tags.some((t) => t.key === CREATE_MARKER)).toBe(false);
  expect(outs.tags ?? {}).toEqual(inputs.tags ?? {});
  return { id, outs };
}

describe("PrivateImage create", () => {
  it("imports an OBS file, with description, RAM limits and tags", async () => {
    const inputs = {
      name: "from-file",
      description: "Ubuntu from OBS",
      minRam: 1024,
      maxRam: 8192,
      tags: { env: "test", team: "infra" },
      source: { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU },
    };
    const { id, outs } = await created(privateImages, inputs);
    const file = object("ubuntu-24.04.qcow2");
    expect(outs).toMatchObject({
      diskFormat: "qcow2",
      osVersion: UBUNTU,
      osType: "Linux",
      osBit: "64",
      platform: "Ubuntu",
      minDisk: 40,
      sizeBytes: file.size,
      checksum: file.md5,
      visibility: "private",
      imageType: "private",
      virtualEnvType: "FusionCompute",
      jobId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const image = stored(emu, id)!;
    expect(image).toMatchObject({ description: "Ubuntu from OBS", minRam: 1024, maxRam: 8192, minDisk: 40 });
  });

  it("quick-imports a RAW file", async () => {
    const raw = Buffer.alloc(256 * 1024, 0x5a);
    await putObject(emu, "images-bucket", "disk.raw", raw);
    const { outs } = await created(privateImages, {
      name: "quick-raw",
      source: { imageUrl: "images-bucket:disk.raw", minDisk: 10, osVersion: UBUNTU, quickImport: true },
    });
    expect(outs).toMatchObject({ diskFormat: "raw", minDisk: 10, sizeBytes: raw.length, checksum: md5(raw), osVersion: UBUNTU });
  });

  it("imports an ISO file, which needs osVersion", async () => {
    const iso = Buffer.alloc(0x9000);
    iso.write("CD001", 0x8001, "latin1");
    await putObject(emu, "images-bucket", "installer.iso", iso);
    const { outs } = await created(privateImages, {
      name: "from-iso",
      source: { imageUrl: "images-bucket:installer.iso", minDisk: 1, type: "IsoImage", osVersion: UBUNTU },
    });
    expect(outs).toMatchObject({ diskFormat: "iso", virtualEnvType: "IsoImage", osVersion: UBUNTU, checksum: md5(iso) });
  });

  it("uploads a local file, whose MD5 becomes the checksum", async () => {
    const path = join(dir, "local.qcow2");
    writeFileSync(path, makeQcow2(10, 64 * 1024));
    const bytes = readFileSync(path);
    const { id, outs } = await created(privateImages, {
      name: "from-local-file",
      description: "uploaded",
      minRam: 512,
      tags: { origin: "laptop" },
      source: { localFile: path, minDisk: 20, osVersion: UBUNTU },
    });
    expect(outs).toMatchObject({ checksum: md5(bytes), sizeBytes: bytes.length, diskFormat: "qcow2", minDisk: 20, osVersion: UBUNTU });
    expect(outs.jobId).toBeUndefined();
    expect(stored(emu, id)).toMatchObject({ description: "uploaded", minRam: 512 });
  });

  it("captures the system disk of an ECS server", async () => {
    const { id, outs } = await created(privateImages, { name: "from-instance", tags: { role: "web" }, source: { instanceId: server().id } });
    expect(outs).toMatchObject({ osVersion: "Ubuntu 22.04 server 64bit", minDisk: 40, diskFormat: "zvhd2", platform: "Ubuntu", virtualEnvType: "FusionCompute" });
    expect(stored(emu, id)!.origin).toEqual({ kind: "instance", serverId: server().id });
  });

  it("takes wholeImage: false for the system disk only", async () => {
    const { id } = await created(privateImages, { name: "instance-not-whole", source: { instanceId: server().id, wholeImage: false } });
    expect(stored(emu, id)!.origin.kind).toBe("instance");
  });

  it("captures a full ECS (all its disks)", async () => {
    const { id, outs } = await created(privateImages, {
      name: "whole-instance",
      source: { instanceId: server().id, wholeImage: true, vaultId: "4a8f3a0e-5b3c-4c1d-9e2f-7a6b5c4d3e2f" },
    });
    expect(outs).toMatchObject({ osVersion: "Ubuntu 22.04 server 64bit", minDisk: 40, sizeBytes: (40 + 100) * 1024 ** 3 });
    expect(stored(emu, id)!.origin.kind).toBe("whole-instance");
  });

  it("captures an EVS volume, with osVersion", async () => {
    const system = volume("web-01-system");
    const { id, outs } = await created(privateImages, { name: "from-volume", source: { volumeId: system.id, osVersion: "Ubuntu 22.04 server 64bit" } });
    expect(outs).toMatchObject({ osVersion: "Ubuntu 22.04 server 64bit", minDisk: 40, sizeBytes: 40 * 1024 ** 3 });
    expect(stored(emu, id)!.origin).toEqual({ kind: "volume", volumeId: system.id });
  });

  it("makes a full-ECS image of a CBR backup", async () => {
    const backup = emu.world.state.backups.find((b) => b.name === "web-01-backup")!;
    const { id, outs } = await created(privateImages, { name: "from-backup", tags: { backup: "cbr" }, source: { backupId: backup.id } });
    expect(outs).toMatchObject({ osVersion: "Ubuntu 22.04 server 64bit", minDisk: 40 });
    expect(stored(emu, id)!.origin).toEqual({ kind: "whole-backup", backupId: backup.id, backupKind: "CBR" });
  });

  it("fails without making an image when IMS refuses the request", async () => {
    const error = await rejection(emu, privateImages.create(withProvider({ name: "too-small", source: { imageUrl: QCOW2, minDisk: 10 } })));
    expect(error.message).toMatch(/PrivateImage "too-small".*IMG\.0055/);
    expect(error.id).toBeUndefined();
    expect(imagesNamed(emu, "too-small")).toHaveLength(0);
  });
});

describe("DataImage create", () => {
  it("imports an OBS file", async () => {
    const { outs } = await created(dataImages, { name: "data-from-file", description: "logs", tags: { kind: "data" }, source: { imageUrl: VHD, minDisk: 40, osType: "Linux" } });
    const file = object("data-disk.vhd");
    expect(outs).toMatchObject({ diskFormat: "vhd", virtualEnvType: "DataImage", minDisk: 40, sizeBytes: file.size, checksum: file.md5 });
    expect(outs).not.toHaveProperty("minRam");
    expect(outs).not.toHaveProperty("maxRam");
  });

  it("quick-imports a RAW file", async () => {
    const raw = Buffer.alloc(128 * 1024, 0x3c);
    await putObject(emu, "images-bucket", "data.raw", raw);
    const { outs } = await created(dataImages, { name: "data-quick-raw", tags: { kind: "data" }, source: { imageUrl: "images-bucket:data.raw", minDisk: 40, quickImport: true } });
    expect(outs).toMatchObject({ diskFormat: "raw", virtualEnvType: "DataImage", minDisk: 40, checksum: md5(raw) });
  });

  it("captures the data volume of a server", async () => {
    const data = volume("web-01-data");
    const { id, outs } = await created(dataImages, { name: "data-from-volume", description: "web data", tags: { kind: "data", env: "test" }, source: { volumeId: data.id } });
    expect(outs).toMatchObject({ virtualEnvType: "DataImage", minDisk: 100, sizeBytes: 100 * 1024 ** 3, jobId: expect.any(String) });
    expect(stored(emu, id)).toMatchObject({ description: "web data", origin: { kind: "volume", volumeId: data.id } });
  });
});
