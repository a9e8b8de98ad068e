/**
 * The serialized providers of PrivateImage and DataImage, as Pulumi stores them in state: with
 * pulumi-ims installed in node_modules, a mere `require` of the installed shim (far under 2 KB, no
 * credential), which reloads from text and serves check. Needs dist/ (`make build`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { installedLayout, loadSerialized, serializeIn } from "../helpers/serialized";
import { PROVIDER, QCOW2, UBUNTU, UNKNOWN, VHD } from "./support";

const SECRET = "shim-test-secret-key-0123456789abcdefgh";

const config = {
  "ims:region": "ap-southeast-1",
  "ims:endpoint": "http://127.0.0.1:9",
  "ims:authUrl": "http://127.0.0.1:9/v3",
  "ims:accessKey": "SHIMTESTACCESSKEY001",
  "ims:secretKey": SECRET,
} as Record<string, string>;

const request = { config: { get: (k: string) => config[k], require: (k: string) => config[k] } } as unknown as pulumi.dynamic.ConfigureRequest;

const kinds = [
  {
    kind: "PrivateImage",
    module: "private-image",
    valid: { __provider: PROVIDER, name: "web", tags: { env: "test" }, source: { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU } },
    invalid: { __provider: PROVIDER, name: "web", source: { imageUrl: QCOW2 } },
    // The engine looks failures up by top-level input: the reason names the field inside it.
    failure: "source",
  },
  {
    kind: "DataImage",
    module: "data-image",
    valid: { __provider: PROVIDER, name: "data", source: { imageUrl: VHD, minDisk: 40 } },
    invalid: { __provider: PROVIDER, name: "data", minRam: 1024, source: { imageUrl: VHD, minDisk: 40 } },
    failure: "minRam",
  },
];

describe("serialized image shims, with pulumi-ims installed in node_modules", () => {
  let layout: ReturnType<typeof installedLayout>;
  beforeAll(() => {
    layout = installedLayout();
  });
  afterAll(() => layout.cleanup());

  describe.each(kinds)("$kind", ({ module, valid, invalid, failure }) => {
    let text: string;
    beforeAll(() => {
      text = serializeIn(layout.dir, `require("pulumi-ims/shims/${module}")`, { HW_SECRET_KEY: SECRET, HW_ACCESS_KEY: "SHIMTESTACCESSKEY001" });
    });

    it("is a reference to the installed shim, far under 2 KB, with no credential", () => {
      expect(text).toContain(`require("pulumi-ims/shims/${module}")`);
      expect(text.length).toBeLessThan(2048);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("SHIMTESTACCESSKEY001");
      expect(text).not.toContain(layout.dir);
    });

    it("reloads from text and checks inputs with the installed provider", async () => {
      const provider = loadSerialized(text, layout.dir);
      for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"] as const) expect(typeof provider[method]).toBe("function");
      await provider.configure!(request);
      await expect(provider.check!({}, valid)).resolves.toEqual({ inputs: valid });
      const rejected = await provider.check!({}, invalid);
      expect(rejected.inputs).toBeUndefined();
      expect(rejected.failures!.map((f) => f.property)).toEqual([failure]);
      const unknown = { ...valid, name: UNKNOWN };
      await expect(provider.check!({}, unknown)).resolves.toEqual({ inputs: unknown });
    });
  });
});
