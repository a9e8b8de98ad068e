/**
 * check of PrivateImage and DataImage: every failure at once, by field; Pulumi's unknown
 * placeholder is never a failure; a missing region or missing credentials fail with the config
 * key and the environment variable to set.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { configure } from "../../provider/config";
import { dataImages, expectNoSecret, privateImages, PROVIDER, QCOW2, rejection, UNKNOWN, UBUNTU, type Raw } from "./support";

const SECRET = "check-test-secret-key-0123456789abcdef";

/** A stack configuration that resolves without any network call. */
async function configureOffline(values: Record<string, string> = {}): Promise<void> {
  await configure({ config: { get: (k: string) => values[k], require: (k: string) => values[k] } } as never);
}

const OFFLINE = {
  "ims:region": "ap-southeast-1",
  "ims:endpoint": "http://127.0.0.1:9",
  "ims:authUrl": "http://127.0.0.1:9/v3",
  "ims:accessKey": "CHECKTESTACCESSKEY01",
  "ims:secretKey": SECRET,
};

const properties = (failures: { property: string }[] | undefined): string[] => (failures ?? []).map((f) => f.property).sort();

const valid: Raw = { __provider: PROVIDER, name: "web", source: { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU } };

describe("check", () => {
  beforeAll(() => configureOffline(OFFLINE));

  it("passes valid inputs through, __provider included", async () => {
    await expect(privateImages.check({}, valid)).resolves.toEqual({ inputs: valid });
    const data = { __provider: PROVIDER, name: "data", tags: { env: "test" }, source: { volumeId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e" } };
    await expect(dataImages.check({}, data)).resolves.toEqual({ inputs: data });
  });

  it("reports every failure of a PrivateImage at once, by field", async () => {
    const tags: Record<string, string> = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key${i}`, "v"]));
    tags["bad key!"] = "v";
    const result = await privateImages.check({}, {
      __provider: PROVIDER,
      name: " bad/name",
      description: "a <b>bold</b> description",
      tags,
      minRam: 4096,
      maxRam: 1024,
      timeouts: { create: "soon", delete: "0s", later: "1m" },
      adoptImageId: "not-a-uuid",
      source: { imageUrl: QCOW2, vaultId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e" },
    });
    expect(result.inputs).toBeUndefined();
    expect(properties(result.failures)).toEqual(
      [
        "name",
        "description",
        "tags",
        "tags.bad key!",
        "maxRam",
        "timeouts.create",
        "timeouts.delete",
        "timeouts.later",
        "adoptImageId",
        "source.vaultId",
        "source.minDisk",
      ].sort(),
    );
    const reason = (p: string) => result.failures!.find((f) => f.property === p)!.reason;
    expect(reason("tags")).toMatch(/at most 10 tags; 11/);
    expect(reason("maxRam")).toMatch(/below minRam/);
    expect(reason("source.vaultId")).toMatch(/does not apply/);
    expect(reason("source.minDisk")).toMatch(/required/);
  });

  it("refuses two source selectors, and a source field that does not apply", async () => {
    const two = await privateImages.check({}, { ...valid, source: { imageUrl: QCOW2, instanceId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e", minDisk: 40 } });
    expect(two.failures).toEqual([{ property: "source", reason: expect.stringMatching(/exactly one of .*got imageUrl and instanceId/) }]);

    const none = await privateImages.check({}, { ...valid, source: {} });
    expect(properties(none.failures)).toEqual(["source"]);

    const misplaced = await privateImages.check({}, { ...valid, source: { instanceId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e", minDisk: 40, osVersion: UBUNTU } });
    expect(properties(misplaced.failures)).toEqual(["source.minDisk", "source.osVersion"]);

    // wholeImage belongs to instanceId sources: false is the plain system-disk image.
    const notWhole = { ...valid, source: { instanceId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e", wholeImage: false } };
    await expect(privateImages.check({}, notWhole)).resolves.toEqual({ inputs: notWhole });
    const vaultWithoutWhole = await privateImages.check({}, { ...valid, source: { instanceId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e", vaultId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e" } });
    expect(properties(vaultWithoutWhole.failures)).toEqual(["source.vaultId"]);

    const iso = await privateImages.check({}, { ...valid, source: { imageUrl: "images-bucket:os.iso", minDisk: 1, type: "IsoImage" } });
    expect(iso.failures).toEqual([{ property: "source.osVersion", reason: expect.stringMatching(/ISO/) }]);
  });

  it("refuses file fields the chosen import would drop silently", async () => {
    const cmk = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
    // A quick import takes no KMS key, no driver configuration, no os_type for system images, no ISO.
    const quick = await privateImages.check({}, {
      ...valid,
      source: { imageUrl: "images-bucket:disk.raw", minDisk: 40, osVersion: UBUNTU, quickImport: true, cmkId: cmk, isConfig: true, osType: "Linux", type: "IsoImage" },
    });
    expect(properties(quick.failures)).toEqual(["source.cmkId", "source.isConfig", "source.osType", "source.type"]);
    expect(quick.failures!.find((f) => f.property === "source.cmkId")!.reason).toMatch(/quick import/);
    const dataQuick = await dataImages.check({}, { __provider: PROVIDER, name: "data", source: { imageUrl: "images-bucket:data.raw", minDisk: 40, quickImport: true, cmkId: cmk } });
    expect(properties(dataQuick.failures)).toEqual(["source.cmkId"]);
    // A licence type belongs to a quick import only.
    const licence = await privateImages.check({}, { ...valid, source: { imageUrl: QCOW2, minDisk: 40, licenseType: "byol" } });
    expect(properties(licence.failures)).toEqual(["source.licenseType"]);
    const quickLicence = { ...valid, source: { imageUrl: "images-bucket:disk.raw", minDisk: 40, osVersion: UBUNTU, quickImport: true, licenseType: "byol" } };
    await expect(privateImages.check({}, quickLicence)).resolves.toEqual({ inputs: quickLicence });
    const normalCmk = { ...valid, source: { imageUrl: QCOW2, minDisk: 40, cmkId: cmk, isConfig: true } };
    await expect(privateImages.check({}, normalCmk)).resolves.toEqual({ inputs: normalCmk });
  });

  it("refuses a local file that is missing or empty before any API call, and takes an existing one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pulumi-ims-check-"));
    try {
      const empty = join(dir, "empty.qcow2");
      writeFileSync(empty, "");
      const disk = join(dir, "disk.qcow2");
      writeFileSync(disk, makeQcow2(1));
      for (const path of [join(dir, "missing.qcow2"), empty, dir]) {
        const result = await privateImages.check({}, { ...valid, source: { localFile: path, minDisk: 20 } });
        expect(result.failures).toEqual([{ property: "source.localFile", reason: `${path} is not a readable, non-empty file on this machine` }]);
      }
      const ok = { ...valid, source: { localFile: disk, minDisk: 20 } };
      const sha256 = createHash("sha256").update(makeQcow2(1)).digest("hex");
      await expect(privateImages.check({}, ok)).resolves.toEqual({ inputs: { ...ok, localFileSha256: sha256 } });

      // A changed file changes the input that replaces the image.
      writeFileSync(disk, makeQcow2(2));
      const changed = await privateImages.check({}, ok);
      expect(changed.inputs?.localFileSha256).not.toBe(sha256);
      expect(await privateImages.diff("id", { ...ok, localFileSha256: sha256 } as never, changed.inputs!)).toMatchObject({ replaces: ["localFileSha256"] });

      // Once the image exists, a file that is gone (a cleaned build directory, another machine) blocks nothing.
      rmSync(disk);
      const recorded = { ...ok, localFileSha256: sha256 };
      await expect(privateImages.check(recorded, ok)).resolves.toEqual({ inputs: recorded });
      // Unless it is a new resource, which needs the file.
      expect((await privateImages.check({}, ok)).failures).toEqual([{ property: "source.localFile", reason: expect.stringMatching(/not a readable/) }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the quick-import range of minDisk for a DataImage (1 to 1024)", async () => {
    const small = { __provider: PROVIDER, name: "data", source: { imageUrl: "images-bucket:data.raw", minDisk: 20, quickImport: true } };
    await expect(dataImages.check({}, small)).resolves.toEqual({ inputs: small });
    const big = await dataImages.check({}, { __provider: PROVIDER, name: "data", source: { imageUrl: "images-bucket:data.raw", minDisk: 2000, quickImport: true } });
    expect(big.failures).toEqual([{ property: "source.minDisk", reason: expect.stringMatching(/1 to 1024/) }]);
  });

  it("reports the failures of a DataImage: RAM limits do not apply, minDisk is 40 to 2048", async () => {
    const result = await dataImages.check({}, {
      __provider: PROVIDER,
      name: "data",
      minRam: 1024,
      maxRam: 2048,
      source: { imageUrl: "images-bucket:data-disk.vhd", minDisk: 20, osVersion: UBUNTU },
    });
    expect(properties(result.failures)).toEqual(["maxRam", "minRam", "source.minDisk", "source.osVersion"]);
    expect(result.failures!.find((f) => f.property === "minRam")!.reason).toMatch(/does not apply to data images/);
    expect(result.failures!.find((f) => f.property === "source.minDisk")!.reason).toMatch(/40 to 2048/);

    const tooBig = await dataImages.check({}, { __provider: PROVIDER, name: "data", source: { imageUrl: "images-bucket:data-disk.vhd", minDisk: 4096 } });
    expect(properties(tooBig.failures)).toEqual(["source.minDisk"]);
    const fromInstance = await dataImages.check({}, { __provider: PROVIDER, name: "data", source: { instanceId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e" } });
    expect(fromInstance.failures).toEqual([{ property: "source.instanceId", reason: expect.stringMatching(/cannot be made from instanceId/) }]);
  });

  it("takes Pulumi's unknown placeholder for a value to come, not for a failure", async () => {
    const unknowns = [
      { ...valid, name: UNKNOWN, description: UNKNOWN, minRam: UNKNOWN, maxRam: UNKNOWN, adoptImageId: UNKNOWN, region: UNKNOWN },
      { ...valid, tags: { env: UNKNOWN, team: "infra" } },
      { ...valid, tags: UNKNOWN, timeouts: UNKNOWN },
      { ...valid, timeouts: { create: UNKNOWN } },
      { ...valid, source: UNKNOWN },
      { ...valid, source: { imageUrl: UNKNOWN, minDisk: UNKNOWN, osVersion: UNKNOWN } },
      { ...valid, source: { instanceId: UNKNOWN } },
    ];
    for (const news of unknowns) await expect(privateImages.check({}, news)).resolves.toEqual({ inputs: news });
    const data = { __provider: PROVIDER, name: UNKNOWN, source: { volumeId: UNKNOWN } };
    await expect(dataImages.check({}, data)).resolves.toEqual({ inputs: data });
  });

  describe("without a configuration", () => {
    let saved: NodeJS.ProcessEnv;
    beforeEach(async () => {
      saved = process.env;
      process.env = Object.fromEntries(Object.entries(saved).filter(([k]) => !/^(HW|OS|G42|IMS)_/.test(k)));
      await configureOffline({});
    });
    afterEach(async () => {
      process.env = saved;
      await configureOffline(OFFLINE);
    });

    it("fails on a missing region, naming ims:region and HW_REGION_NAME", async () => {
      const error = await rejection(undefined, privateImages.check({}, valid));
      expect(error.message).toMatch(/No region/);
      expect(error.message).toContain("ims:region");
      expect(error.message).toContain("HW_REGION_NAME");
      expect(error.id).toBeUndefined();
    });

    it("fails on missing credentials, naming ims:accessKey and HW_ACCESS_KEY", async () => {
      process.env.HW_REGION_NAME = "ap-southeast-1";
      const error = await rejection(undefined, dataImages.check({}, { __provider: PROVIDER, name: "data", source: { imageUrl: "images-bucket:data-disk.vhd", minDisk: 40 } }));
      expect(error.message).toMatch(/No credentials/);
      expect(error.message).toContain("ims:accessKey");
      expect(error.message).toContain("HW_ACCESS_KEY");
    });

    it("names the missing half of an AK/SK pair without showing the secret key", async () => {
      process.env.HW_REGION_NAME = "ap-southeast-1";
      process.env.HW_SECRET_KEY = SECRET;
      const error = await rejection(undefined, privateImages.check({}, valid));
      expect(error.message).toContain("ims:accessKey");
      expect(error.message).toContain("HW_ACCESS_KEY");
      expectNoSecret(undefined, error, [SECRET]);
    });

    it("uses the environment when it is complete", async () => {
      Object.assign(process.env, { HW_REGION_NAME: "ap-southeast-1", HW_ACCESS_KEY: "CHECKTESTACCESSKEY01", HW_SECRET_KEY: SECRET });
      await expect(privateImages.check({}, valid)).resolves.toEqual({ inputs: valid });
    });

    it("reports input failures before configuration problems", async () => {
      const result = await privateImages.check({}, { ...valid, name: "" });
      expect(properties(result.failures)).toEqual(["name"]);
    });
  });
});
