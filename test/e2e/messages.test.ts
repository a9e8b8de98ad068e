/**
 * What the user reads, with the real Pulumi CLI: each error once, on its resource, without a
 * JavaScript trace, naming the setting or input to change — a missing credential, a mistyped
 * region, a closed IMS port, a wrong password, a nested input out of range, an image still shared
 * when it is deleted.
 */
import { freePort } from "../helpers/emulator-process";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { PulumiWorkspace, installPackedProject } from "../helpers/pulumi-cli";

jest.setTimeout(240_000);

const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const ims = require("pulumi-ims");
const config = new pulumi.Config("e2e");
const image = new ims.PrivateImage("golden", {
  name: "messages-golden",
  source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: config.getNumber("minDisk") ?? 40 },
  ...(config.getBoolean("removeMembers") ? { removeMembersOnDelete: true } : {}),
});
exports.id = image.id;
`;

const ws = new PulumiWorkspace("e2e-messages");
let emu: TestEmulator;
const CREDENTIALS = ["HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_DOMAIN_NAME", "HW_USER_NAME", "HW_USER_PASSWORD", "HW_REGION_NAME", "OS_REGION_NAME"];

beforeAll(async () => {
  emu = await startTestEmulator({ jobMs: 200 });
  await installPackedProject(ws, "e2e-messages", PROGRAM, { javascript: true });
}, 240_000);

afterAll(async () => {
  await emu?.close();
  ws.cleanup();
});

/** A stack with these settings; returns what `pulumi <args>` printed (stdout and stderr) and its exit code. */
async function attempt(stack: string, settings: Record<string, string>, env: Record<string, string | undefined>, args: string[] = ["preview"]) {
  await ws.pulumi(["stack", "init", stack]);
  for (const [k, v] of Object.entries(settings)) await ws.pulumi(["config", "set", k, v, "--stack", stack]);
  const cleared = Object.fromEntries(CREDENTIALS.map((k) => [k, undefined]));
  const result = await ws.pulumiResult([...args, "--stack", stack], { env: { ...cleared, ...env } });
  return { code: result.code, output: `${result.stdout}\n${result.stderr}` };
}

const aksk = () => ({ HW_ACCESS_KEY: emu.accessKey().access, HW_SECRET_KEY: emu.accessKey().secret });
const emulatorSettings = () => ({ "ims:region": "ap-southeast-1", "ims:endpoint": emu.url, "ims:authUrl": `${emu.url}/v3` });

/**
 * The message is reported once: one diagnostic, on the resource (the progress lines above repeat
 * the engine's own display of it), none on the stack, and no JavaScript trace or error class anywhere.
 */
function expectOnce(output: string, message: RegExp): void {
  const diagnostics = output.slice(output.indexOf("Diagnostics:"));
  expect(output).toContain("Diagnostics:");
  expect(diagnostics.match(new RegExp(message.source, "g")) ?? []).toHaveLength(1);
  // Diagnostics come in blocks, one per resource, each under a header line "  <type> (<name>):".
  const blocks = diagnostics.split(/\n(?= {2}\S)/);
  for (const block of blocks.filter((b) => b.startsWith(" ".repeat(2) + "pulumi:pulumi:Stack"))) expect(block).not.toMatch(message);
  expect(output).not.toMatch(/\n\s+at [\w.<>]+ \(/);
  expect(output).not.toMatch(/ConfigError|Error: .*Error:/);
}

it("no credentials: the keys and variables to set, once", async () => {
  const { code, output } = await attempt("no-credentials", emulatorSettings(), {});
  expect(code).not.toBe(0);
  expectOnce(output, /No credentials: set ims:accessKey \(HW_ACCESS_KEY or OS_ACCESS_KEY\) \+ ims:secretKey/);
});

it("a mistyped region: the region meant", async () => {
  const { code, output } = await attempt("typo", { "ims:region": "ap-southeast1" }, aksk());
  expect(code).not.toBe(0);
  expectOnce(output, /ims:region \(HW_REGION_NAME or OS_REGION_NAME\): "ap-southeast1" is not a region of huaweicloud; did you mean ap-southeast-1\?/);
});

it("a closed IMS port: the endpoint and its setting", async () => {
  const port = await freePort();
  const { code, output } = await attempt("closed", { ...emulatorSettings(), "ims:endpoint": `http://127.0.0.1:${port}` }, aksk(), ["up", "--yes"]);
  expect(code).not.toBe(0);
  expectOnce(output, new RegExp(`at http://127\\.0\\.0\\.1:${port} \\(the IMS endpoint: ims:endpoint`));
});

it("a wrong password: the user and account, no doubled status", async () => {
  const { code, output } = await attempt("password", emulatorSettings(), { HW_DOMAIN_NAME: "ims-emulator", HW_USER_NAME: "ims-user", HW_USER_PASSWORD: "wrong-password" }, ["up", "--yes"]);
  expect(code).not.toBe(0);
  expectOnce(output, /get an IAM token for user ims-user of account ims-emulator \(POST \/v3\/auth\/tokens\) failed with HTTP 401: The username or password is wrong/);
  expect(output).not.toMatch(/HTTP 401 401/);
  expect(output).not.toContain("wrong-password");
});

it("a nested input out of range: the input, its value and the field", async () => {
  const { code, output } = await attempt("nested", { ...emulatorSettings(), "e2e:minDisk": "5000" }, aksk());
  expect(code).not.toBe(0);
  expect(output).toMatch(/property source value \{map\[.*minDisk:\{5000\}.*\]\} has a problem: source\.minDisk must be a whole number of GB from 1 to 1024/);
  expect(output).not.toMatch(/value \{<nil>\}/);
});

it("deleting an image still shared: what to do, including when removeMembersOnDelete takes effect", async () => {
  const settings = emulatorSettings();
  await ws.pulumi(["stack", "init", "shared"]);
  for (const [k, v] of Object.entries(settings)) await ws.pulumi(["config", "set", k, v, "--stack", "shared"]);
  await ws.pulumi(["up", "--yes", "--stack", "shared"], { env: aksk() });
  const image = emu.world.state.images.find((i) => i.name === "messages-golden")!;
  await emu.job("ap-southeast-1", "POST", "/v1/cloudimages/members", { images: [image.id], projects: [emu.projectId("ap-southeast-1_analytics")] });
  const destroy = await ws.pulumiResult(["destroy", "--yes", "--stack", "shared"], { env: aksk() });
  expect(destroy.code).not.toBe(0);
  const output = `${destroy.stdout}\n${destroy.stderr}`;
  expectOnce(output, /is still shared with project\(s\) \w+ \(pending\), and an image is not deleted while it is shared: .* set removeMembersOnDelete: true on this resource and run pulumi up first/);
  // As the message says: set it, up, then destroy.
  await ws.pulumi(["config", "set", "e2e:removeMembers", "true", "--stack", "shared"]);
  await ws.pulumi(["up", "--yes", "--stack", "shared"], { env: aksk() });
  await ws.pulumi(["destroy", "--yes", "--stack", "shared"], { env: aksk() });
  expect(emu.world.state.images.filter((i) => i.imagetype === "private")).toEqual([]);
});
