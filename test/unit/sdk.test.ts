/**
 * What the SDK classes register (engine mocked): the arguments, the outputs seeded, the creation
 * marker and resource name the provider needs, `customTimeouts` as `timeouts`, `get` by id, and the
 * `import` option refused with what to use instead.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

const registered: pulumi.runtime.MockResourceArgs[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push(args);
      return { id: args.id ?? `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "project",
  "stack",
  false,
);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ims = require("../../sdk") as typeof import("../../sdk");

const settle = () => new Promise((r) => setTimeout(r, 50));
const inputsOf = (name: string) => registered.find((r) => r.name === name)?.inputs as Record<string, unknown>;
const source = { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 };

it("registers an image with its arguments, its creation marker and its resource name; no name needed", async () => {
  new ims.PrivateImage("golden", { source, tags: { team: "platform" } });
  await settle();
  const inputs = inputsOf("golden");
  expect(inputs).toMatchObject({ source, tags: { team: "platform" }, resourceName: "golden" });
  expect(inputs.creationMarker).toMatch(/^[0-9a-f]{32}$/);
  expect(inputs.name).toBeUndefined();
});

it("gives the same marker to the same resource in every run, another to another resource", async () => {
  new ims.DataImage("logs", { source: { imageUrl: "images-bucket:data-disk.vhd", minDisk: 40 } });
  new ims.DataImage("logs-2", { source: { imageUrl: "images-bucket:data-disk.vhd", minDisk: 40 } });
  await settle();
  expect(inputsOf("logs").creationMarker).not.toEqual(inputsOf("logs-2").creationMarker);
  const expected = createHash("sha256").update(["project", "stack", "ims:DataImage", "logs", ""].join("\u0000")).digest("hex").slice(0, 32);
  expect(inputsOf("logs").creationMarker).toBe(expected);
});

it("passes customTimeouts on as timeouts, unless timeouts are given", async () => {
  new ims.ImageCopy("copy", { sourceImageId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", name: "c" }, { customTimeouts: { create: "90m", delete: "5m" } });
  new ims.ImageCopy("copy-2", { sourceImageId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", name: "c", timeouts: { create: "1h" } }, { customTimeouts: { create: "90m" } });
  await settle();
  expect(inputsOf("copy").timeouts).toEqual({ create: "90m", delete: "5m" });
  expect(inputsOf("copy-2").timeouts).toEqual({ create: "1h" });
});

it("get reads an existing object by id, with where to look", async () => {
  ims.PrivateImage.get("existing", "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", { region: "ap-southeast-3" });
  ims.ImageMember.get("member", "3f7185de-b59a-4bb8-aa1d-7a513528b0e9/574ec11e28b9a30985bb25b7b8aac298");
  await settle();
  const image = registered.find((r) => r.name === "existing")!;
  expect(image.id).toBe("3f7185de-b59a-4bb8-aa1d-7a513528b0e9");
  expect(image.inputs).toMatchObject({ region: "ap-southeast-3" });
  expect(image.inputs.creationMarker).toBeUndefined();
  expect(registered.find((r) => r.name === "member")!.id).toBe("3f7185de-b59a-4bb8-aa1d-7a513528b0e9/574ec11e28b9a30985bb25b7b8aac298");
});

it("refuses the import option, naming what to use instead", () => {
  expect(() => new ims.PrivateImage("imported", { source }, { import: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9" })).toThrow(
    /PrivateImage "imported": the import option does not work .* adoptImageId: <image id>/,
  );
  expect(() => new ims.ImageMember("m", { imageId: "i", projectId: "p" }, { import: "i/p" })).toThrow(/takes an existing membership .* over/);
});

it("registers an ImageExport with its arguments and customTimeouts, without a creation marker, and refuses import", async () => {
  new ims.ImageExport("web-export", { imageId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", bucketUrl: "images-bucket:web.qcow2", fileFormat: "qcow2" }, { customTimeouts: { create: "2h" } });
  await settle();
  const inputs = inputsOf("web-export");
  expect(inputs).toMatchObject({ bucketUrl: "images-bucket:web.qcow2", fileFormat: "qcow2", timeouts: { create: "2h" } });
  expect(inputs.creationMarker).toBeUndefined();
  expect(inputs.resourceName).toBeUndefined();
  expect(() => new ims.ImageExport("e", { imageId: "i", bucketUrl: "b:f", quickExport: true }, { import: "b:f" })).toThrow(/ImageExport "e": the import option does not work .* pulumi up exports the image/);
});

it("registers without the SDK's per-property stack traces, and leaves Error.stackTraceLimit as it was, even when registration throws", async () => {
  const before = Error.stackTraceLimit;
  // Counts the stack traces taken with frames in them while a resource is constructed.
  const tracesWhile = (construct: () => unknown): number => {
    let traces = 0;
    const original = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, frames) => {
      if (frames.length > 0) traces += 1;
      return original ? original(error, frames) : `${error}`;
    };
    try {
      construct();
    } finally {
      Error.prepareStackTrace = original;
    }
    return traces;
  };
  // Any other resource: four traces per property (urn, id and the ones registered), besides its source position.
  class Control extends pulumi.CustomResource {}
  const control = tracesWhile(() => new Control("test:index:Control", "traced-control", { a: 1, b: 2, c: 3 }));
  expect(control).toBeGreaterThanOrEqual(12);
  // An image registers some forty properties: only its source position is traced.
  const image = tracesWhile(() => new ims.PrivateImage("traced", { source }));
  expect(image).toBeLessThanOrEqual(2);
  expect(Error.stackTraceLimit).toBe(before);
  expect(() => new ims.PrivateImage("orphan", { source }, { parent: { urn: pulumi.output("urn:pulumi:stack::project::test:index:Fake::fake") } as unknown as pulumi.Resource })).toThrow();
  expect(Error.stackTraceLimit).toBe(before);
  await settle();
});
