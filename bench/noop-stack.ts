/**
 * The cost of the engine round trip itself: `pulumi up`, a no-change `preview` and `destroy` of
 * a stack of N Probes (dynamic resources that call no API), with pulumi-ims installed from its
 * tarball as users install it. This is the baseline the image resources are compared against.
 *
 *   npx ts-node --transpile-only bench/noop-stack.ts [N]    (make bench runs it with N = 20)
 */
import { PulumiWorkspace, assertPulumiCli, installPackedProject } from "../test/helpers/pulumi-cli";
import { runMain, timed } from "./lib/measure";


async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20);
  if (!Number.isInteger(count) || count < 1) throw new Error(`resource count must be a positive integer, got ${process.argv[2]}`);
  console.log(`pulumi ${await assertPulumiCli()}, node ${process.version}, ${count} Probe resources`);

  const ws = new PulumiWorkspace("bench-noop");
  try {
    const program = `const { Probe } = require("pulumi-ims/testing");\nfor (let i = 0; i < ${count}; i++) new Probe("probe-" + i, { message: "probe " + i });\n`;
    await installPackedProject(ws, "bench-noop", program, { javascript: true });
    await ws.pulumi(["stack", "init", "bench"]);

    const [, upMs] = await timed(() => ws.pulumi(["up", "--yes"]));
    const [, previewMs] = await timed(() => ws.pulumi(["preview", "--expect-no-changes"]));
    const state = await ws.exportStack();
    const probes = (state.deployment.resources ?? []).filter((r) => r.type === "pulumi-nodejs:dynamic/ims:Probe");
    const stateBytes = probes.map((r) => JSON.stringify(r).length);
    const providerBytes = String(probes[0]?.outputs?.__provider ?? "").length;
    const [, destroyMs] = await timed(() => ws.pulumi(["destroy", "--yes"]));

    console.log(`pulumi up (preview + update): ${upMs.toFixed(0)} ms`);
    console.log(`pulumi preview, no changes:   ${previewMs.toFixed(0)} ms`);
    console.log(`pulumi destroy:               ${destroyMs.toFixed(0)} ms`);
    console.log(`state per resource:           ${Math.round(stateBytes.reduce((a, b) => a + b, 0) / probes.length)} bytes`);
    console.log(`serialized provider:          ${providerBytes} bytes (stored in inputs and outputs)`);
  } finally {
    ws.cleanup();
  }
}

runMain(main);
