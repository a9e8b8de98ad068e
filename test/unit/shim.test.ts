import { resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { RESOURCE_KINDS } from "../../provider/types";
import { installedLayout, loadSerialized, serializeIn } from "../helpers/serialized";

const repo = resolve(__dirname, "../..");
const secret = "sk-0123456789abcdef-never-in-state";

/** Drives one serialized Probe provider through every lifecycle step. */
async function exerciseProbe(provider: pulumi.dynamic.ResourceProvider): Promise<void> {
  const checked = await provider.check!({}, { message: "hello" });
  expect(checked).toEqual({ inputs: { message: "hello" } });

  const rejected = await provider.check!({}, { message: "" });
  expect(rejected.failures).toEqual([{ property: "message", reason: expect.stringContaining("message is required") }]);

  const created = await provider.create(checked.inputs);
  expect(created.id).toMatch(/^probe-[0-9a-f-]{36}$/);
  expect(created.outs).toEqual({ message: "hello", servedBy: expect.stringMatching(/^pulumi-ims@\d+\.\d+\.\d+/) });

  expect(await provider.diff!(created.id, created.outs, { message: "hello" })).toMatchObject({ changes: false });
  expect(await provider.diff!(created.id, created.outs, { message: "bye" })).toMatchObject({
    changes: true,
    replaces: [],
  });

  const updated = await provider.update!(created.id, created.outs, { message: "bye" });
  expect(updated.outs).toMatchObject({ message: "bye" });

  const read = await provider.read!(created.id, updated.outs);
  expect(read).toEqual({ id: created.id, props: updated.outs, inputs: { message: "bye" } });

  await expect(provider.delete!(created.id, updated.outs)).resolves.toBeUndefined();
}

describe("serialized shim", () => {
  it("exists for every kind the provider implements", () => {
    for (const kind of RESOURCE_KINDS) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const shim = require(`../../sdk/shims/${kind.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}`) as pulumi.dynamic.ResourceProvider;
      for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"] as const) {
        expect(typeof shim[method]).toBe("function");
      }
    }
  });

  describe("with pulumi-ims installed in node_modules", () => {
    let layout: ReturnType<typeof installedLayout>;
    beforeAll(() => {
      layout = installedLayout();
    });
    afterAll(() => layout.cleanup());

    it("is a reference to the installed package, far under 2 KB, with no credential", () => {
      const text = serializeIn(layout.dir, `require("pulumi-ims/shims/probe")`, { HW_SECRET_KEY: secret });
      expect(text).toContain('require("pulumi-ims/shims/probe")');
      expect(text.length).toBeLessThan(2048);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(layout.dir);
    });

    it("reloads from text and runs every lifecycle step of the installed provider", async () => {
      const text = serializeIn(layout.dir, `require("pulumi-ims/shims/probe")`);
      await exerciseProbe(loadSerialized(text, layout.dir));
    });
  });

  describe("with pulumi-ims used from a source checkout", () => {
    it("is stored as forwarding code that names only the kind", () => {
      const text = serializeIn(repo, `require("./dist/sdk/shims/probe")`, { HW_SECRET_KEY: secret });
      expect(text).toContain('"Probe"');
      expect(text).toContain('require("pulumi-ims/provider")');
      expect(text).not.toContain(secret);
      expect(text).not.toContain(repo);
    });

    it("reloads from text and runs every lifecycle step", async () => {
      const text = serializeIn(repo, `require("./dist/sdk/shims/probe")`);
      await exerciseProbe(loadSerialized(text, repo));
    });
  });

  it("names the version to install when the state holds a kind this version lacks", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { providerFor } = require("../../provider") as typeof import("../../provider");
    expect(() => providerFor("Vanished")).toThrow(/has no resource kind "Vanished".*npm install pulumi-ims@<version>/);
  });
});
