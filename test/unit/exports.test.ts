/**
 * ImageExport's pure decisions: what `check` refuses and how it says so, which changes export
 * again, the request each declaration sends, and how the service's refusals are explained.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ImsApiError, ImsJobFailedError } from "../../provider/client/core/errors";
import { exportBody } from "../../provider/client/images/requests";
import { configure } from "../../provider/config";
import { splitBucketUrl, validateExportInputs } from "../../provider/exports/inputs";
import { explainExport, exportRequest, imageExportProvider, suggestedFile, writtenFormat } from "../../provider/exports/lifecycle";
import type { ExportInputs, ExportOutputs } from "../../provider/exports/schema";

const IMAGE = "3f7185de-b59a-4bb8-aa1d-7a513528b0e9";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const valid = { imageId: IMAGE, bucketUrl: "images-bucket:exports/web.qcow2", fileFormat: "qcow2" };

beforeAll(async () => {
  const values: Record<string, string> = {
    "ims:region": "ap-southeast-1",
    "ims:endpoint": "http://127.0.0.1:9",
    "ims:authUrl": "http://127.0.0.1:9/v3",
    "ims:accessKey": "UNITTESTACCESSKEY001",
    "ims:secretKey": "unit-test-secret-key-0123456789",
  };
  await configure({ config: { get: (k: string) => values[k], require: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
});

const failures = (raw: Record<string, unknown>) => validateExportInputs(raw);
const reasonOf = (raw: Record<string, unknown>, property: string) => failures(raw).find((f) => f.property === property)?.reason;

describe("check", () => {
  it("accepts a normal export, a quick one, and quickExport: false with a format", () => {
    expect(failures(valid)).toEqual([]);
    expect(failures({ imageId: IMAGE, bucketUrl: "images-bucket:big.zvhd2", quickExport: true })).toEqual([]);
    expect(failures({ ...valid, quickExport: false, region: "ap-southeast-1", timeouts: { create: "2h" } })).toEqual([]);
    expect(failures({ ...valid, bucketUrl: "my.bucket-01:a/b_c/web-1.2.vmdk", fileFormat: "vmdk" })).toEqual([]);
  });

  it("reports every failing field at once, each naming the field", () => {
    const result = failures({ imageId: "web", bucketUrl: "no-colon", fileFormat: "raw", quickExport: "yes", colour: "blue", timeouts: { create: "0s" } });
    expect(result.map((f) => f.property).sort()).toEqual(["bucketUrl", "colour", "fileFormat", "imageId", "quickExport", "timeouts.create"]);
    for (const f of result.filter((f) => !f.property.startsWith("timeouts"))) expect(f.reason).toContain(f.property);
  });

  it("requires the image and the file", () => {
    expect(reasonOf({ fileFormat: "qcow2" }, "imageId")).toMatch(/imageId is required: the id of the image to export/);
    expect(reasonOf({ imageId: IMAGE, fileFormat: "qcow2" }, "bucketUrl")).toMatch(/bucketUrl is required: the file to write, bucket:object, e\.g\. images-bucket:exports\/web\.qcow2/);
  });

  it("refuses a format with a quick export, and asks for one without", () => {
    expect(reasonOf({ ...valid, quickExport: true }, "fileFormat")).toMatch(/not given with quickExport: true .* remove fileFormat, or set quickExport to false/);
    expect(reasonOf({ imageId: IMAGE, bucketUrl: valid.bucketUrl }, "fileFormat")).toMatch(/fileFormat is required unless quickExport is true: one of qcow2, vhd, zvhd, vmdk/);
    expect(reasonOf({ imageId: IMAGE, bucketUrl: valid.bucketUrl, quickExport: false }, "fileFormat")).toMatch(/required unless quickExport is true/);
  });

  it("says how to write a format it does not take", () => {
    expect(reasonOf({ ...valid, fileFormat: "QCOW2" }, "fileFormat")).toMatch(/one of qcow2, vhd, zvhd, vmdk \(in lower case: qcow2\)/);
    expect(reasonOf({ ...valid, fileFormat: "zvhd2" }, "fileFormat")).toMatch(/zvhd2 is what a quick export writes: set quickExport: true and remove fileFormat/);
    expect(reasonOf({ ...valid, fileFormat: "raw" }, "fileFormat")).toMatch(/must be one of qcow2, vhd, zvhd, vmdk$/);
  });

  it.each([
    ["an obs:// URL", "obs://images-bucket/exports/web.qcow2", /not an obs:\/\/ URL: write images-bucket:exports\/web\.qcow2/],
    ["no colon", "images-bucket/web.qcow2", /bucketUrl must be bucket:object, e\.g\./],
    ["no bucket", ":web.qcow2", /names no bucket before the colon/],
    ["no file", "images-bucket:", /names no file after the colon/],
    ["an upper-case bucket", "Images:web.qcow2", /"Images" is not a bucket name: an OBS bucket name has 3 to 63 lower-case letters/],
    ["a bucket of two characters", "ab:web.qcow2", /"ab" is not a bucket name/],
    ["a bucket like an IP address", "192.168.1.1:web.qcow2", /is no IP address/],
    ["adjacent periods", "a..b:web.qcow2", /"a\.\.b" is not a bucket name/],
    ["a space in the file name", "images-bucket:my exports/web.qcow2", /holds a space; IMS writes no folder or file name with spaces/],
    ["a leading slash", "images-bucket:/web.qcow2", /empty folder or file name: no leading, trailing or double '\/'/],
    ["a folder, not a file", "images-bucket:exports/", /empty folder or file name/],
    ["other characters", "images-bucket:web+1.qcow2", /may hold only letters, digits, '-', '\.' and '_'/],
    ["a name over 128 characters", `images-bucket:${"a".repeat(129)}`, /the file name has 129 characters; IMS writes names of at most 128/],
    ["not a string", 42, /bucketUrl must be a string/],
  ])("refuses a bucketUrl with %s, saying what to write", (_case, bucketUrl, reason) => {
    expect(failures({ ...valid, bucketUrl })).toEqual([{ property: "bucketUrl", reason: expect.stringMatching(reason) }]);
  });

  it("leaves values unknown during preview to create", () => {
    expect(failures({ imageId: UNKNOWN, bucketUrl: UNKNOWN, fileFormat: UNKNOWN })).toEqual([]);
    expect(failures({ imageId: IMAGE, bucketUrl: valid.bucketUrl, quickExport: UNKNOWN })).toEqual([]);
  });

  it("refuses a region or profile that is no non-empty string, and a profile that is not configured", () => {
    expect(failures({ ...valid, region: "" }).map((f) => f.property)).toEqual(["region"]);
    expect(() => failures({ ...valid, profile: "nobody" })).toThrow(/nobody/);
  });
});

describe("diff", () => {
  const olds: ExportOutputs = {
    ...(valid as ExportInputs),
    imageRegion: "ap-southeast-1",
    projectId: "c77934a415036a6cd9d4624b7e03ce5d",
    bucket: "images-bucket",
    objectKey: "exports/web.qcow2",
    exportedFormat: "qcow2",
    status: "exported",
    jobId: "0123456789abcdef0123456789abcdef",
    imageName: "web",
    imageSizeBytes: 1024,
    imageDiskFormat: "qcow2",
    imageStatus: "active",
  };
  const diff = (news: Record<string, unknown>, state: ExportOutputs = olds) => imageExportProvider.diff(valid.bucketUrl, state, news as unknown as ExportInputs);
  let warnings: string[];
  beforeEach(() => {
    warnings = [];
    jest.spyOn(console, "warn").mockImplementation((line: string) => void warnings.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it("sees no change in the same declaration, nor in quickExport: false against none", async () => {
    expect(await diff(valid)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(await diff({ ...valid, quickExport: false })).toMatchObject({ changes: false });
    expect(await diff({ ...valid, region: "ap-southeast-1" })).toMatchObject({ changes: false });
  });

  it("exports again when the image, the file, the format, the kind of export or the region change", async () => {
    expect(await diff({ ...valid, bucketUrl: "images-bucket:exports/web-2.qcow2" })).toMatchObject({ changes: true, replaces: ["bucketUrl"] });
    expect(await diff({ ...valid, region: "ap-southeast-3" })).toMatchObject({ replaces: ["region"] });
    expect(await diff({ imageId: IMAGE, bucketUrl: "images-bucket:exports/web.zvhd2", quickExport: true })).toMatchObject({ replaces: ["bucketUrl", "fileFormat", "quickExport"] });
    expect(await diff({ ...valid, bucketUrl: UNKNOWN })).toMatchObject({ replaces: ["bucketUrl"] });
    expect(warnings).toEqual([]);
  });

  it("changes nothing in the cloud for credentials and time budgets", async () => {
    expect(await diff({ ...valid, profile: "other", timeouts: { create: "2h" } })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("warns at preview that a re-export to the same file will be refused", async () => {
    expect(await diff({ ...valid, fileFormat: "vmdk" })).toMatchObject({ replaces: ["fileFormat"] });
    expect(warnings).toEqual([expect.stringMatching(/^warning: ImageExport .*fileFormat changed, .* same bucketUrl; .*IMG\.0070.*images-bucket:exports\/web-3f7185de-.*\.qcow2/)]);
  });

  it("names no placeholder in its advice when the new image is not known yet", async () => {
    expect(await diff({ ...valid, imageId: UNKNOWN })).toMatchObject({ replaces: ["imageId"] });
    expect(warnings).toEqual([expect.stringContaining("e.g. images-bucket:exports/web-<image id>.qcow2")]);
  });

  it("waits for a job left running, and exports again after a failed one", async () => {
    expect(await diff(valid, { ...olds, status: "exporting", pendingJobId: "f".repeat(32) })).toMatchObject({ changes: true, replaces: [] });
    expect(await diff(valid, { ...olds, status: "failed", failure: { code: "IMG.0061", reason: "x" } })).toMatchObject({ changes: true, replaces: ["bucketUrl"] });
    expect(warnings).toEqual([]);
  });
});

describe("requests", () => {
  it("sends a format for a normal export, and only is_quick_export for a quick one", () => {
    expect(exportBody(exportRequest(valid as ExportInputs))).toEqual({ bucket_url: "images-bucket:exports/web.qcow2", file_format: "qcow2" });
    expect(exportBody(exportRequest({ imageId: IMAGE, bucketUrl: "b1b:x.zvhd2", quickExport: true }))).toEqual({ bucket_url: "b1b:x.zvhd2", is_quick_export: true });
    expect(exportBody(exportRequest({ ...(valid as ExportInputs), quickExport: false }))).toEqual({ bucket_url: "images-bucket:exports/web.qcow2", file_format: "qcow2" });
  });

  it("knows the format it writes, and splits the URL at its first colon", () => {
    expect(writtenFormat({ imageId: IMAGE, bucketUrl: "b:x", quickExport: true })).toBe("zvhd2");
    expect(writtenFormat({ imageId: IMAGE, bucketUrl: "b:x", fileFormat: "vhd" })).toBe("vhd");
    expect(splitBucketUrl("images-bucket:a/b.qcow2")).toEqual({ bucket: "images-bucket", objectKey: "a/b.qcow2" });
  });

  it("suggests a file name that changes with the image", () => {
    expect(suggestedFile("b1b:exports/web.qcow2", IMAGE)).toBe(`b1b:exports/web-${IMAGE}.qcow2`);
    expect(suggestedFile("b1b:exports.d/web", IMAGE)).toBe(`b1b:exports.d/web-${IMAGE}`);
    expect(suggestedFile("b1b:.hidden", IMAGE)).toBe(`b1b:.hidden-${IMAGE}`);
  });
});

describe("explanations", () => {
  const refusal = (code: string, message = "refused") =>
    new ImsApiError({ operation: "exportImage", method: "POST", path: `/v1/cloudimages/${IMAGE}/file`, status: 400, code, serviceMessage: message });
  const normal = valid as ExportInputs;
  const quick: ExportInputs = { imageId: IMAGE, bucketUrl: "images-bucket:big.zvhd2", quickExport: true };
  const explain = (code: string, inputs = normal, image?: object) => explainExport(refusal(code), inputs, "ap-southeast-1", image as never);

  it.each([
    ["IMG.0077", /^public images cannot be exported/],
    ["IMG.0079", /made from a charged image .* cannot be exported/],
    ["IMG.0080", /made from a CSBS or CBR backup/],
    ["IMG.0160", /over 128 GB, the most a normal export takes: set quickExport: true and remove fileFormat/],
    ["IMG.0128", /full-ECS images cannot be exported: export an image of the server's system disk/],
    ["IMG.0167", /images made from ISO files cannot be exported/],
    ["IMG.0058", /bucket images-bucket is not in ap-southeast-1, the image's region: export into a bucket of ap-southeast-1/],
    ["IMG.0069", /bucket images-bucket does not exist, or IMS cannot write to it: create it in ap-southeast-1/],
    ["IMG.0148", /another export of image .* is running, .* one file at a time/],
    ["IMG.0106", /only the image's owner can export it/],
    ["IMG.0073", /bucketUrl must be bucket:object/],
  ])("%s: what it means and what to do, then the service's own words", (code, hint) => {
    const text = explain(code);
    expect(text).toMatch(hint);
    expect(text).toContain(`failed with HTTP 400 ${code}: refused`);
  });

  it("IMG.0070: the file stays after an export, so a re-export needs another name, e.g. with the image id", () => {
    expect(explain("IMG.0070")).toMatch(
      new RegExp(
        "^images-bucket:exports/web\\.qcow2 exists already, and IMS never writes over a file\\. An export leaves its file in place.*replacement.*interrupted pulumi up.*" +
          `e\\.g\\. with the image id or a date \\(images-bucket:exports/web-${IMAGE}\\.qcow2\\), or delete the file first \\(OBS console, or obsutil rm obs://images-bucket/exports/web\\.qcow2\\)`,
      ),
    );
  });

  it("IMG.0071: an encrypted image exported quickly, else an image made from a public image the service keeps", () => {
    expect(explain("IMG.0071", quick, { __system__cmkid: IMAGE })).toMatch(/^an encrypted image cannot be exported quickly: remove quickExport and give fileFormat/);
    expect(explain("IMG.0071", normal, { __system__cmkid: IMAGE })).toMatch(/^IMS does not export this image: images made from a Windows, SUSE, Red Hat, Ubuntu or Oracle Linux public image/);
  });

  it("a failed export job is explained by its error code", () => {
    const failed = new ImsJobFailedError("f".repeat(32), "imsNativeExportImageJob", "IMG.0160", "Too large.", {});
    expect(explainExport(failed, normal, "ap-southeast-1")).toMatch(/^the image is over 128 GB.*\(IMS job f+ \(imsNativeExportImageJob\) failed with IMG\.0160: Too large\.\)$/);
    const unknown = new ImsJobFailedError("f".repeat(32), "imsNativeExportImageJob", "IMG.0061", "Boom.", {});
    expect(explainExport(unknown, normal, "ap-southeast-1")).toBe(unknown.message);
  });
});

describe("delete", () => {
  afterEach(() => jest.restoreAllMocks());

  it("removes nothing and warns once that the file stays, with how to remove it", async () => {
    const lines: string[] = [];
    jest.spyOn(console, "warn").mockImplementation((line: string) => void lines.push(line));
    await imageExportProvider.delete(valid.bucketUrl, { ...(valid as ExportInputs), status: "exported" } as ExportOutputs);
    expect(lines).toEqual([
      expect.stringMatching(/^warning: ImageExport \(image .* to images-bucket:exports\/web\.qcow2\): the file images-bucket:exports\/web\.qcow2 stays in OBS: .* obsutil rm obs:\/\/images-bucket\/exports\/web\.qcow2$/),
    ]);
    lines.length = 0;
    await imageExportProvider.delete(valid.bucketUrl, { ...(valid as ExportInputs), status: "failed" } as ExportOutputs);
    expect(lines).toEqual([]);
  });
});
