/**
 * Copying one image to a second region in one `pulumi up` (an ImageCopy to ap-southeast-3, a copy
 * job of 3 s on ims-emulator), and within its region, against the same up of one Probe (no API
 * call, as in bench/noop-stack.ts): wall time, the ratio, and the IMS requests route by route.
 *
 *   npx ts-node --transpile-only bench/copies.ts     (make bench runs it)
 */
import { startEmulator, type RunningEmulator } from "../emulator";
import { PulumiWorkspace, assertPulumiCli, installPackedProject } from "../test/helpers/pulumi-cli";
import { line, ms, runMain } from "./lib/measure";
import { measureStack, routeSummary, sourceImage } from "./lib/stack";

const JOB_MS = 3000;

const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const ims = require("pulumi-ims");
const { Probe } = require("pulumi-ims/testing");
const config = new pulumi.Config("bench");
const kind = config.require("kind");
if (kind === "probe") new Probe("probe", { message: "probe" });
else {
  new ims.ImageCopy("copy", {
    sourceImageId: config.require("imageId"),
    name: "bench-copy",
    tags: { bench: "copies" },
    ...(kind === "remote" ? { targetRegion: "ap-southeast-3", agencyName: "ims_admin_agency" } : {}),
  });
}
`;

async function main(): Promise<void> {
  console.log(`pulumi ${await assertPulumiCli()}, node ${process.version}, copy jobs of ${JOB_MS} ms`);
  const ws = new PulumiWorkspace("bench-copies");
  let emulator: RunningEmulator | undefined;
  try {
    emulator = await startEmulator({ jobDurationMs: JOB_MS, jobJitter: 0 });
    const key = emulator.world.state.accessKeys[0];
    const imageId = await sourceImage(emulator, key);
    await installPackedProject(ws, "bench-copies", PROGRAM, { javascript: true });
    const env = { HW_ACCESS_KEY: key.access, HW_SECRET_KEY: key.secret };
    const COPY = { type: "pulumi-nodejs:dynamic/ims:ImageCopy", count: 1 };
    const probe = await measureStack(ws, emulator, env, "probe", { "bench:kind": "probe", "bench:imageId": imageId }, { type: "pulumi-nodejs:dynamic/ims:Probe", count: 1 });
    const remote = await measureStack(ws, emulator, env, "remote", { "bench:kind": "remote", "bench:imageId": imageId }, COPY);
    const local = await measureStack(ws, emulator, env, "local", { "bench:kind": "local", "bench:imageId": imageId }, COPY);
    const left = emulator.world.state.images.filter((i) => i.imagetype === "private" && i.id !== imageId).length;
    if (left !== 0) throw new Error(`${left} copies are left after destroy`);

    line("Probe pulumi up:", ms(probe.up.ms));
    line("ImageCopy to ap-southeast-3, pulumi up:", ms(remote.up.ms));
    line("up ratio cross-region copy / Probe:", (remote.up.ms / probe.up.ms).toFixed(2));
    line("up difference cross-region copy - Probe (job 3 s):", ms(remote.up.ms - probe.up.ms));
    line("ImageCopy within the region, pulumi up:", ms(local.up.ms));
    line("Probe pulumi destroy:", ms(probe.destroy.ms));
    line("ImageCopy to ap-southeast-3, pulumi destroy:", ms(remote.destroy.ms));
    line("IMS requests, cross-region copy: up / destroy:", `${remote.up.requests} / ${remote.destroy.requests}`);
    line("IMS requests, in-region copy: up / destroy:", `${local.up.requests} / ${local.destroy.requests}`);
    line("ImageCopy state per resource:", `${remote.bytesPerResource} bytes`);
    console.log(`cross-region up routes: ${routeSummary(remote.up)}`);
    console.log(`cross-region destroy routes: ${routeSummary(remote.destroy)}`);
  } finally {
    await emulator?.close();
    ws.cleanup();
  }
}

runMain(main);
