/**
 * Sharing one image with N projects in one `pulumi up` (N ImageMembers of one image, share jobs of
 * 800 ms on ims-emulator), against the same up of N Probes (no API call, as in bench/noop-stack.ts):
 * wall time, the ratio, and the IMS requests of up and destroy, route by route.
 *
 *   npx ts-node --transpile-only bench/members.ts [N]    (make bench runs it with N = 20)
 */
import { availableParallelism } from "node:os";
import { startEmulator, type RunningEmulator } from "../emulator";
import { PulumiWorkspace, assertPulumiCli, installPackedProject } from "../test/helpers/pulumi-cli";
import { line, ms, runMain } from "./lib/measure";
import { measureStack, requestsTo, routeSummary, sourceImage } from "./lib/stack";

const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const ims = require("pulumi-ims");
const { Probe } = require("pulumi-ims/testing");
const config = new pulumi.Config("bench");
const projects = config.requireObject("projects");
projects.forEach((projectId, i) => {
  if (config.require("kind") === "probe") new Probe("probe-" + i, { message: "probe " + i });
  else new ims.ImageMember("member-" + i, { imageId: config.require("imageId"), projectId });
});
`;

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20);
  if (!Number.isInteger(count) || count < 1 || count > 250) throw new Error(`project count must be 1 to 250, got ${process.argv[2]}`);
  const cpus = availableParallelism();
  console.log(`pulumi ${await assertPulumiCli()}, node ${process.version}, ${cpus} CPUs (default --parallel ${4 * cpus}), one image shared with ${count} projects`);

  const ws = new PulumiWorkspace("bench-members");
  let emulator: RunningEmulator | undefined;
  try {
    emulator = await startEmulator({ jobJitter: 0 });
    const world = emulator.world.state;
    const projects = Array.from({ length: count }, (_, i) => {
      const id = (i + 1).toString(16).padStart(4, "0") + "be".repeat(14);
      world.projects.push({ id, name: `ap-southeast-1_team${i}`, region: "ap-southeast-1", domainId: world.domains[0].id });
      return id;
    });
    const key = world.accessKeys[0];
    const imageId = await sourceImage(emulator, key);

    await installPackedProject(ws, "bench-members", PROGRAM, { javascript: true });
    const env = { HW_ACCESS_KEY: key.access, HW_SECRET_KEY: key.secret };
    const config = { "bench:projects": JSON.stringify(projects), "bench:imageId": imageId };
    const probes = await measureStack(ws, emulator, env, "probes", { ...config, "bench:kind": "probe" }, { type: "pulumi-nodejs:dynamic/ims:Probe", count });
    const members = await measureStack(ws, emulator, env, "members", { ...config, "bench:kind": "member" }, { type: "pulumi-nodejs:dynamic/ims:ImageMember", count });
    const left = emulator.world.state.images.find((i) => i.id === imageId)?.members.length;
    if (left !== 0) throw new Error(`${left} members are left after destroy`);

    line(`Probe pulumi up (${count}):`, ms(probes.up.ms));
    line(`ImageMember pulumi up (${count} projects):`, ms(members.up.ms));
    line("up ratio ImageMember / Probe:", (members.up.ms / probes.up.ms).toFixed(2));
    line("Probe pulumi destroy:", ms(probes.destroy.ms));
    line("ImageMember pulumi destroy:", ms(members.destroy.ms));
    line("destroy ratio ImageMember / Probe:", (members.destroy.ms / probes.destroy.ms).toFixed(2));
    line("IMS requests of up (all members):", String(members.up.requests));
    line("  of which share requests (one job each):", String(requestsTo(members.up, "POST", "/v1/cloudimages/members")));
    line("IMS requests of destroy (all members):", String(members.destroy.requests));
    line("  of which unshare requests (one job each):", String(requestsTo(members.destroy, "DELETE", "/v1/cloudimages/members")));
    line("IMS requests per member, up + destroy:", ((members.up.requests + members.destroy.requests) / count).toFixed(1));
    line("ImageMember state per resource:", `${members.bytesPerResource} bytes`);
    console.log(`up routes: ${routeSummary(members.up)}`);
    console.log(`destroy routes: ${routeSummary(members.destroy)}`);
  } finally {
    await emulator?.close();
    ws.cleanup();
  }
}

runMain(main);
