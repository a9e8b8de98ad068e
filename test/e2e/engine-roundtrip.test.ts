/**
 * The real Pulumi CLI against pulumi-ims installed from its npm tarball into a fresh TypeScript
 * project, as a user installs it: up, preview with no changes, refresh, an in-place update,
 * a failing check, destroy.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PulumiWorkspace, installPackedProject, type StateResource } from "../helpers/pulumi-cli";

jest.setTimeout(240_000);

const repo = resolve(__dirname, "../..");
const PROBE_TYPE = "pulumi-nodejs:dynamic/ims:Probe";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { Probe } from "pulumi-ims/testing";

const config = new pulumi.Config();
const probe = new Probe("probe", { message: config.get("message") ?? "first" });

export const probeId = probe.id;
export const message = probe.message;
export const servedBy = probe.servedBy;
`;

describe("engine round trip with the packed package", () => {
  const ws = new PulumiWorkspace("e2e-roundtrip");
  const version = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version;

  const probes = async (): Promise<StateResource[]> =>
    ((await ws.exportStack()).deployment.resources ?? []).filter((r) => r.type === PROBE_TYPE);
  const outputs = async (): Promise<Record<string, string>> =>
    JSON.parse(await ws.pulumi(["stack", "output", "--json"]));

  beforeAll(async () => {
    await installPackedProject(ws, "e2e-roundtrip", PROGRAM);
    await ws.pulumi(["stack", "init", "e2e"]);
  });

  afterAll(() => ws.cleanup());

  let firstId = "";

  it("creates the resource with pulumi up and exports its outputs", async () => {
    await ws.pulumi(["up", "--yes"]);
    const out = await outputs();
    expect(out).toEqual({ probeId: expect.stringMatching(/^probe-/), message: "first", servedBy: `pulumi-ims@${version}` });
    firstId = out.probeId;

    const [probe, ...others] = await probes();
    expect(others).toHaveLength(0);
    expect(probe.id).toBe(firstId);
    expect(probe.outputs).toMatchObject({ message: "first", servedBy: `pulumi-ims@${version}` });
  });

  it("stores a serialized provider under 2 KB that loads the installed package", async () => {
    const [probe] = await probes();
    for (const bag of [probe.inputs, probe.outputs]) {
      const serialized = bag?.__provider;
      expect(typeof serialized).toBe("string");
      expect((serialized as string).length).toBeLessThan(2048);
      expect(serialized).toContain('require("pulumi-ims/shims/probe")');
    }
  });

  it("previews no changes after up", async () => {
    const result = await ws.pulumiResult(["preview", "--expect-no-changes"]);
    expect(result.code).toBe(0);
  });

  it("refreshes without drift", async () => {
    await ws.pulumi(["refresh", "--yes", "--expect-no-changes"]);
    expect((await probes()).map((p) => p.id)).toEqual([firstId]);
  });

  it("updates the message in place, keeping the id", async () => {
    await ws.pulumi(["config", "set", "message", "second"]);
    const up = await ws.pulumi(["up", "--yes"]);
    expect(up).toMatch(/1 updated/);
    expect(await outputs()).toMatchObject({ probeId: firstId, message: "second" });
  });

  it("rejects bad input in check, naming the field, and changes nothing", async () => {
    await ws.pulumi(["config", "set", "message", ""]);
    const result = await ws.pulumiResult(["up", "--yes"]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/message is required: give a non-empty string/);
    expect(await outputs()).toMatchObject({ probeId: firstId, message: "second" });
    await ws.pulumi(["config", "rm", "message"]);
  });

  it("destroys the resource", async () => {
    await ws.pulumi(["destroy", "--yes"]);
    expect(await probes()).toEqual([]);
    expect(await outputs()).toEqual({});
  });
});
