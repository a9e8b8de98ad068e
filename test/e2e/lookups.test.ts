/**
 * The lookup functions with the real Pulumi CLI, pulumi-ims installed from its npm tarball, against
 * ims-emulator: a program calls getImage (plain and Output forms), getImages (one of them with an
 * Input from a resource of the program), getOsVersions and getQuota, and exports what they found,
 * which matches the emulator's world. A lookup that fails shows its message once, without a trace,
 * in either form. The credentials are only in the environment: no output and no state holds the
 * secret key.
 */
import type { Image } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { initEmulatorStack, installPackedProject, PulumiWorkspace } from "../helpers/pulumi-cli";

jest.setTimeout(180_000);

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config("e2e");
const prefix = config.require("prefix");

// What fails, when asked: several images match and mostRecent is not set.
const fail = config.get("fail");
export const failed =
  fail === "plain" ? ims.getImage({ nameRegex: "^" + prefix + "-" }).then((i) => i.id)
  : fail === "output" ? ims.getImageOutput({ nameRegex: pulumi.output("^" + prefix + "-") }).id
  : "no";

// A public image: the plain form, awaited by the export.
export const ubuntu = ims.getImage({ imageType: "public", osVersion: "Ubuntu 22.04 server 64bit" }).then((i) => ({ id: i.id, name: i.name, platform: i.platform, imageType: i.imageType }));

// The newest of the team's images: the Output form, with Inputs.
export const newest = ims
  .getImageOutput({ nameRegex: pulumi.output(prefix).apply((p) => "^" + p + "-"), tags: { team: config.require("team") }, mostRecent: true })
  .apply((i) => ({ id: i.id, name: i.name, createdAt: i.createdAt, tags: i.tags }));

// Every image of the prefix, newest first.
export const all = ims.getImages({ nameRegex: new RegExp("^" + prefix + "-") }).then((r) => r.ids);

// An image this program makes, looked up by its name once it exists.
const made = new ims.PrivateImage("made", {
  name: prefix + "-made",
  source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
});
export const madeId = made.id;
export const madeFound = ims.getImagesOutput({ name: made.name, owner: made.projectId }).ids;

export const armVersions = ims.getOsVersionsOutput({ tags: ["arm"] }).osVersions.apply((v) => v.map((o) => o.osVersion));
export const quota = ims.getQuota();
`;

describe("lookup functions in a program", () => {
  const ws = new PulumiWorkspace("e2e-lookups");
  let emu: TestEmulator;
  let env: Record<string, string>;
  let secret = "";
  const seeded: string[] = [];

  const pulumi = (args: string[]) => ws.pulumi([...args, "--stack", "lookups"], { env });
  const pulumiResult = (args: string[]) => ws.pulumiResult([...args, "--stack", "lookups"], { env });
  const live = (): Image[] => emu.world.state.images.filter((i) => i.status !== "deleted");

  beforeAll(async () => {
    await installPackedProject(ws, "e2e-lookups", PROGRAM);
    emu = await startTestEmulator({ jobMs: 200 });
    const key = emu.accessKey("ap-southeast-1");
    secret = key.secret;
    // Three images of the prefix, one second apart (the service's times are to the second); two of team a.
    for (const [name, team] of [["lookup-x-1", "a"], ["lookup-x-2", "b"], ["lookup-x-3", "a"]]) {
      const id = await emu.privateImage(name);
      const patched = await emu.request("PATCH", `/_emulator/images/${id}`, { body: { tags: { team } } });
      expect(patched.status).toBe(200);
      seeded.push(id);
      await new Promise((r) => setTimeout(r, 1100));
    }
    env = await initEmulatorStack(ws, "lookups", emu.url, key);
    for (const [k, v] of [
      ["e2e:prefix", "lookup-x"],
      ["e2e:team", "a"],
    ]) {
      await pulumi(["config", "set", k, v]);
    }
  }, 240_000);

  afterAll(async () => {
    await emu?.close();
    ws.cleanup();
  });

  it("up exports what the lookups found, as the emulator's world holds it", async () => {
    await pulumi(["up", "--yes"]);
    const out = JSON.parse(await pulumi(["stack", "output", "--json"])) as Record<string, unknown>;

    const ubuntu = live().find((i) => i.imagetype === "gold" && i.region === "ap-southeast-1" && i.osVersion === "Ubuntu 22.04 server 64bit")!;
    expect(out.ubuntu).toEqual({ id: ubuntu.id, name: ubuntu.name, platform: "Ubuntu", imageType: "public" });

    const [first, , third] = seeded;
    const newest = live().find((i) => i.id === third)!;
    expect(out.newest).toEqual({ id: third, name: "lookup-x-3", createdAt: new Date(newest.createdAt).toISOString().replace(/\.\d{3}Z$/, "Z"), tags: { team: "a" } });
    expect(third).not.toBe(first);

    // Newest first. The plain form ran as the program started, before the program's image existed; the Output
    // form with the image's name as an Input ran once the image was made.
    const madeId = out.madeId as string;
    expect(out.all).toEqual([...seeded].reverse());
    expect(out.madeFound).toEqual([madeId]);

    const armListing = await emu.as<{ version_list: { os_version: string }[] }[]>("ap-southeast-1", "GET", "/v1/cloudimages/os_version?tag=arm");
    expect(out.armVersions).toEqual(armListing.body.flatMap((g) => g.version_list.map((v) => v.os_version)));
    expect((out.armVersions as string[]).length).toBeGreaterThan(0);

    // The quota too was read as the program started: the three seeded images; the program then made a fourth.
    const owned = live().filter((i) => i.owner === emu.projectId("ap-southeast-1")).length;
    expect(out.quota).toEqual({ region: "ap-southeast-1", projectId: emu.projectId("ap-southeast-1"), used: seeded.length, quota: emu.world.state.imageQuota, min: 1, max: 1000 });
    expect(owned).toBe(seeded.length + 1);
    expect(out.failed).toBe("no");
  });

  /**
   * The message of a failed lookup is reported once: one diagnostic, on the stack (the progress line above it is the
   * engine's own display of that diagnostic), as an error line, with neither a trace nor an error class.
   */
  function expectOnce(output: string, message: RegExp): void {
    expect(output).toContain("Diagnostics:");
    const diagnostics = output.slice(output.indexOf("Diagnostics:"));
    expect(diagnostics.match(new RegExp(message.source, "g")) ?? []).toHaveLength(1);
    expect(diagnostics).toMatch(new RegExp(`pulumi:pulumi:Stack \\(e2e-lookups-lookups\\):\\n\\s+error: ${message.source}`));
    const lines = output.split("\n").filter((line) => message.test(line));
    expect(lines.every((line) => /(^|\s)error: getImage: /.test(line))).toBe(true);
    expect(output).not.toMatch(/\n\s+at [\w.<>]+ \(/);
    expect(output).not.toMatch(/RunError|LookupError|unhandled exception|Error: /);
  }

  it.each(["plain", "output"])("a lookup that fails in the %s form shows its message once and what to do", async (form) => {
    await pulumi(["config", "set", "e2e:fail", form]);
    const preview = await pulumiResult(["preview"]);
    expect(preview.code).not.toBe(0);
    expectOnce(`${preview.stdout}\n${preview.stderr}`, /getImage: \d images match nameRegex \/\^lookup-x-\/, status active \(the default\) in region ap-southeast-1 \(project \w{32}\): .*Set mostRecent: true to take the newest of them/);
    await pulumi(["config", "rm", "e2e:fail"]);
  });

  it("destroy removes the program's image, and neither output nor state ever showed the secret key", async () => {
    await pulumi(["destroy", "--yes"]);
    expect(live().filter((i) => i.imagetype === "private").map((i) => i.id).sort()).toEqual([...seeded].sort());
    const state = await pulumi(["stack", "export"]);
    for (const run of ws.transcript) {
      expect(run.stdout).not.toContain(secret);
      expect(run.stderr).not.toContain(secret);
    }
    expect(state).not.toContain(secret);
    expect(ws.transcript.length).toBeGreaterThan(5);
  });
});
