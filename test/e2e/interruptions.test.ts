/**
 * Interrupted runs with the real Pulumi CLI: `pulumi up` killed with SIGKILL — the CLI and every
 * process it started, as when a CI job is cancelled or a runner is lost — at chosen points: after
 * the create requests were sent and before their answers, while waiting for the creation jobs, in
 * the middle of an update's tag changes, in the middle of a delete. After each, the recovery the
 * README gives (`pulumi cancel`, `pulumi up`, `pulumi refresh --clear-pending-creates`) converges
 * to exactly the declared images, checked in the emulator's world, and `destroy` leaves none. And
 * ims-emulator itself killed mid-run and started again 30 s later: the run finishes by itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Image } from "../../emulator/domain/model";
import { EmulatorProcess } from "../helpers/emulator-process";
import { PulumiWorkspace, installPackedProject, startPulumi } from "../helpers/pulumi-cli";

jest.setTimeout(240_000);

const PRIVATE_IMAGE = "pulumi-nodejs:dynamic/ims:PrivateImage";
const MARKER = "pulumi-ims-create";

const PROGRAM = `const { readFileSync } = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const ims = require("pulumi-ims");
const declared = JSON.parse(readFileSync("images." + pulumi.getStack() + ".json", "utf8"));
for (const [key, image] of Object.entries(declared)) {
  new ims.PrivateImage(key, {
    name: image.name,
    tags: image.tags,
    source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
  });
}
`;

type Declared = Record<string, { name: string; tags?: Record<string, string> }>;

const ws = new PulumiWorkspace("e2e-interruptions");
const scratch = mkdtempSync(join(tmpdir(), "pulumi-ims-drills-"));

beforeAll(async () => {
  await installPackedProject(ws, "e2e-interruptions", PROGRAM, { javascript: true });
}, 240_000);

afterAll(() => {
  ws.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One stack against its own ims-emulator process. */
class Drill {
  private constructor(
    readonly stack: string,
    readonly emu: EmulatorProcess,
    readonly env: Record<string, string>,
  ) {}

  static async start(stack: string, jobMs: number): Promise<Drill> {
    const emu = await EmulatorProcess.start(mkdtempSync(join(scratch, `${stack}-`)), ["--job-duration", String(jobMs)]);
    const { accessKeys } = await emu.state();
    const drill = new Drill(stack, emu, { HW_ACCESS_KEY: accessKeys[0].access, HW_SECRET_KEY: accessKeys[0].secret });
    await ws.pulumi(["stack", "init", stack]);
    for (const [key, value] of [
      ["ims:region", "ap-southeast-1"],
      ["ims:endpoint", emu.url],
      ["ims:authUrl", `${emu.url}/v3`],
    ]) {
      await drill.pulumi(["config", "set", key, value]);
    }
    return drill;
  }

  declare(images: Declared): void {
    ws.write(`images.${this.stack}.json`, JSON.stringify(images));
  }

  pulumi(args: string[]): Promise<string> {
    return ws.pulumi([...args, "--stack", this.stack], { env: this.env });
  }

  /** Starts `pulumi up` and kills it whole as soon as `reached` says so (failing if up ends first). */
  async killUpWhen(reached: () => Promise<boolean>): Promise<void> {
    const up = startPulumi(ws, ["up", "--yes", "--stack", this.stack], this.env);
    let ended = false;
    void up.done.then(() => (ended = true));
    for (;;) {
      if (ended) throw new Error(`pulumi up ended before the interruption point:\n${(await up.done).stdout}\n${(await up.done).stderr}`);
      if (await reached()) break;
      await sleep(100);
    }
    await up.killAll();
    await up.done;
  }

  /** The recovery the README gives after an interrupted run. */
  async recover(): Promise<void> {
    await this.pulumi(["cancel", "--yes"]);
    await this.pulumi(["up", "--yes"]);
    await this.pulumi(["refresh", "--clear-pending-creates", "--yes"]);
    await this.pulumi(["preview", "--expect-no-changes"]);
  }

  async images(): Promise<Image[]> {
    return (await this.emu.state()).images.filter((i) => i.imagetype === "private" && i.status !== "deleted");
  }

  /** Exactly one image per declared name, with the declared tags and no creation marker; the state agrees. */
  async expectExactly(declared: Declared): Promise<void> {
    const images = await this.images();
    expect(images.map((i) => i.name).sort()).toEqual(Object.values(declared).map((d) => d.name).sort());
    for (const image of images) {
      const tags = Object.fromEntries(image.tags.map((t) => [t.key, t.value]));
      expect(tags[MARKER]).toBeUndefined();
      expect(tags).toEqual(Object.values(declared).find((d) => d.name === image.name)?.tags ?? {});
      expect(image.status).toBe("active");
    }
    const state = JSON.parse(await this.pulumi(["stack", "export"])) as { deployment: { resources?: { type: string; id?: string }[]; pending_operations?: unknown[] } };
    const recorded = (state.deployment.resources ?? []).filter((r) => r.type === PRIVATE_IMAGE).map((r) => r.id);
    expect(recorded.sort()).toEqual(images.map((i) => i.id).sort());
    expect(state.deployment.pending_operations ?? []).toEqual([]);
  }

  async destroyLeavesNothing(): Promise<void> {
    await this.pulumi(["destroy", "--yes"]);
    expect(await this.images()).toEqual([]);
  }

  async close(): Promise<void> {
    await this.emu.stop();
  }
}

const THREE: Declared = {
  web: { name: "drill-web", tags: { role: "web" } },
  api: { name: "drill-api", tags: { role: "api" } },
  worker: { name: "drill-worker" },
};

describe("killed after the create requests were sent, before their answers", () => {
  let d: Drill;
  beforeAll(async () => {
    d = await Drill.start("answers", 600);
  });
  afterAll(() => d?.close());

  it("the rerun takes over what the interrupted run made: one image per name", async () => {
    d.declare(THREE);
    await d.emu.request("POST", "/_emulator/faults", { method: "POST", route: "/v2/cloudimages/action", answerDelayMs: 120_000, count: 3 });
    await d.killUpWhen(async () => (await d.images()).length === 3);
    await d.emu.request("DELETE", "/_emulator/faults");
    // What the killed run left: three images, marked, and no state for them.
    expect((await d.images()).every((i) => i.tags.some((t) => t.key === MARKER))).toBe(true);
    await d.recover();
    await d.expectExactly(THREE);
    await d.destroyLeavesNothing();
  });
});

describe("killed while waiting for the creation jobs", () => {
  let d: Drill;
  beforeAll(async () => {
    d = await Drill.start("jobs", 6000);
  });
  afterAll(() => d?.close());

  it("the rerun waits for the same images instead of making others", async () => {
    d.declare(THREE);
    await d.emu.request("DELETE", "/_emulator/metrics");
    await d.killUpWhen(async () => (await d.images()).length === 3 && (await d.emu.requestsTo("GET", "/v1/cloudimages/job/{job_id}")) >= 3);
    expect((await d.images()).some((i) => i.status !== "active")).toBe(true);
    await d.recover();
    await d.expectExactly(THREE);
    await d.destroyLeavesNothing();
  });
});

describe("killed in the middle of an update's tag changes, then in the middle of a delete", () => {
  let d: Drill;
  const changed: Declared = {
    web: { name: "drill-web", tags: { role: "web", stage: "two" } },
    api: { name: "drill-api", tags: { stage: "two" } },
    worker: { name: "drill-worker", tags: { stage: "two" } },
  };
  beforeAll(async () => {
    d = await Drill.start("updates", 500);
    d.declare(THREE);
    await d.pulumi(["up", "--yes"]);
  });
  afterAll(() => d?.close());

  it("an interrupted update converges to the declared tags", async () => {
    d.declare(changed);
    await d.emu.request("POST", "/_emulator/faults", { method: "POST", route: "/v2/{project_id}/images/{image_id}/tags/action", answerDelayMs: 120_000, count: 3 });
    // The tag change is carried out (its answer held back) on at least one image.
    await d.killUpWhen(async () => (await d.images()).some((i) => i.tags.some((t) => t.key === "stage")));
    await d.emu.request("DELETE", "/_emulator/faults");
    await d.recover();
    await d.expectExactly(changed);
  });

  it("an interrupted delete converges to the declared images", async () => {
    const fewer = { web: changed.web, api: changed.api };
    d.declare(fewer);
    await d.emu.request("POST", "/_emulator/faults", { method: "DELETE", route: "/v2/images/{image_id}", answerDelayMs: 120_000, count: 1 });
    // The image is deleted (the answer held back).
    await d.killUpWhen(async () => (await d.images()).length === 2);
    await d.emu.request("DELETE", "/_emulator/faults");
    await d.recover();
    await d.expectExactly(fewer);
    await d.destroyLeavesNothing();
  });
});

describe("ims-emulator killed mid-run and started again 30 s later", () => {
  let d: Drill;
  beforeAll(async () => {
    d = await Drill.start("outage", 4000);
  });
  afterAll(() => d?.close());

  it("the run waits for the service to come back and finishes by itself", async () => {
    d.declare(THREE);
    const up = startPulumi(ws, ["up", "--yes", "--stack", d.stack], d.env);
    for (let i = 0; (await d.images()).length < 3; i++) {
      if (i > 300) throw new Error("the images were not created");
      await sleep(100);
    }
    await d.emu.kill();
    await sleep(30_000);
    await d.emu.restart();
    const result = await up.done;
    expect(result.code).toBe(0);
    await d.expectExactly(THREE);
    await d.destroyLeavesNothing();
  });
});
