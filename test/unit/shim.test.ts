import * as pulumi from "@pulumi/pulumi";
import { Module } from "node:module";
import * as path from "node:path";
import { shimProvider } from "../../sdk/shim";
import { RESOURCE_KINDS } from "../../provider/types";

/** Loads serialized provider text the way the engine's provider process does. */
function loadSerialized(text: string): pulumi.dynamic.ResourceProvider {
  const m = new Module("", undefined);
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(process.cwd());
  (m as unknown as { _compile(code: string, filename: string): void })._compile(text, "");
  return (m.exports as { handler(): pulumi.dynamic.ResourceProvider }).handler();
}

async function serialize(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
  const fn = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false });
  return fn.text;
}

describe("serialized shim", () => {
  const secret = "sk-0123456789abcdef-never-in-state";

  beforeAll(() => {
    process.env.HW_SECRET_KEY = secret;
  });
  afterAll(() => {
    delete process.env.HW_SECRET_KEY;
  });

  it("is one object per kind", () => {
    expect(shimProvider("Probe")).toBe(shimProvider("Probe"));
  });

  it("serves every kind the provider implements", () => {
    const sdkKinds: string[] = ["Probe"] satisfies Parameters<typeof shimProvider>[0][];
    expect([...RESOURCE_KINDS].sort()).toEqual(sdkKinds.sort());
  });

  it("stays under 2 KB and holds nothing but code and its kind", async () => {
    const text = await serialize(shimProvider("Probe"));
    expect(text.length).toBeLessThan(2048);
    expect(text).toContain('"Probe"');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(path.resolve("."));
  });

  it("reloads from text and runs the installed provider through every lifecycle step", async () => {
    const provider = loadSerialized(await serialize(shimProvider("Probe")));

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
  });

  it("names the version to install when the state holds a kind this version lacks", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { providerFor } = require("../../provider") as typeof import("../../provider");
    expect(() => providerFor("Vanished")).toThrow(/has no resource kind "Vanished".*npm install pulumi-ims@<version>/);
  });
});
