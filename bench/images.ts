/**
 * What an image costs beyond the engine's own round trip: `pulumi up` and `pulumi destroy` of a
 * stack of N PrivateImages (OBS import, jobs of 3 s on ims-emulator) against the same stack of N
 * Probes (dynamic resources that call no API, as in bench/noop-stack.ts), with pulumi-ims installed
 * from its tarball as users install it; the ratio, and the state each resource takes.
 *
 *   npx ts-node --transpile-only bench/images.ts [N]    (make bench runs it with N = 20)
 */
import { availableParallelism } from "node:os";
import { startEmulator, type RunningEmulator } from "../emulator";
import { PulumiWorkspace, assertPulumiCli, installPackedProject } from "../test/helpers/pulumi-cli";
import { imagesOrProbesProgram, imsRequests } from "./lib/stack";
import { line, ms, runMain, timed } from "./lib/measure";

const JOB_MS = 3000;

const PROGRAM = imagesOrProbesProgram("images");

interface Measurement {
  upMs: number;
  destroyMs: number;
  bytesPerResource: number;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20);
  if (!Number.isInteger(count) || count < 1) throw new Error(`resource count must be a positive integer, got ${process.argv[2]}`);
  const cpus = availableParallelism();
  console.log(
    `pulumi ${await assertPulumiCli()}, node ${process.version}, ${cpus} CPUs (default --parallel ${4 * cpus}), ` +
      `${count} resources per stack, IMS jobs of ${JOB_MS} ms`,
  );

  const ws = new PulumiWorkspace("bench-images");
  let emulator: RunningEmulator | undefined;
  try {
    emulator = await startEmulator({ jobDurationMs: JOB_MS, jobJitter: 0 });
    emulator.world.state.imageQuota = Math.max(emulator.world.state.imageQuota, 2 * count);
    const key = emulator.world.state.accessKeys[0];

    await installPackedProject(ws, "bench-images", PROGRAM, { javascript: true });

    // Credentials only in the environment, as users give them.
    const env = { HW_ACCESS_KEY: key.access, HW_SECRET_KEY: key.secret };
    const measure = async (stack: string, kind: "probe" | "image", type: string, extra: readonly string[] = []): Promise<Measurement> => {
      await ws.pulumi(["stack", "init", stack]);
      const settings: [string, string][] = [
        ["bench:kind", kind],
        ["bench:count", String(count)],
        ["ims:region", "ap-southeast-1"],
        ["ims:endpoint", emulator!.url],
        ["ims:authUrl", `${emulator!.url}/v3`],
      ];
      for (const [k, v] of settings) await ws.pulumi(["config", "set", k, v, "--stack", stack]);
      const [, upMs] = await timed(() => ws.pulumi(["up", "--yes", "--stack", stack, ...extra], { env }));
      const state = await ws.exportStack(stack);
      const resources = (state.deployment.resources ?? []).filter((r) => r.type === type);
      if (resources.length !== count) throw new Error(`${stack}: ${resources.length} resources of ${type} in the state, expected ${count}`);
      const bytes = resources.reduce((n, r) => n + JSON.stringify(r).length, 0);
      const [, destroyMs] = await timed(() => ws.pulumi(["destroy", "--yes", "--stack", stack, ...extra], { env }));
      return { upMs, destroyMs, bytesPerResource: Math.round(bytes / count) };
    };

    const probes = await measure("probes", "probe", "pulumi-nodejs:dynamic/ims:Probe");
    emulator.runtime.metrics.reset();
    const images = await measure("images", "image", "pulumi-nodejs:dynamic/ims:PrivateImage");
    const requests = imsRequests(emulator.runtime.metrics.snapshot().routes);
    const left = emulator.world.state.images.filter((i) => i.imagetype === "private" && i.status !== "deleted").length;
    if (left !== 0) throw new Error(`${left} private images are left after destroy`);
    const wide = await measure("images-parallel", "image", "pulumi-nodejs:dynamic/ims:PrivateImage", ["--parallel", String(count)]);

    line("Probe pulumi up:", ms(probes.upMs));
    line("PrivateImage pulumi up:", ms(images.upMs));
    line("up ratio PrivateImage / Probe:", (images.upMs / probes.upMs).toFixed(2));
    line("up difference PrivateImage - Probe:", `${ms(images.upMs - probes.upMs)}`);
    line(`PrivateImage pulumi up --parallel ${count}:`, ms(wide.upMs));
    line("Probe pulumi destroy:", ms(probes.destroyMs));
    line("PrivateImage pulumi destroy:", ms(images.destroyMs));
    line("destroy ratio PrivateImage / Probe:", (images.destroyMs / probes.destroyMs).toFixed(2));
    line(`PrivateImage pulumi destroy --parallel ${count}:`, ms(wide.destroyMs));
    line("Probe state per resource:", `${probes.bytesPerResource} bytes`);
    line("PrivateImage state per resource:", `${images.bytesPerResource} bytes`);
    line("IMS requests per PrivateImage, up + destroy:", (requests / count).toFixed(2));
  } finally {
    await emulator?.close();
    ws.cleanup();
  }
}

runMain(main);
