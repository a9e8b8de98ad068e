/**
 * Many resources against the API gateway's rate limit: `pulumi up` of N PrivateImages (OBS import,
 * jobs of 1 s) with `--parallel N`, then `pulumi destroy`, against ims-emulator limited to 10
 * requests a second per project (429 APIGW.0308 with Retry-After beyond it), with pulumi-ims
 * installed from its tarball as users install it. For each command: the resources that failed
 * (must be 0), the wall time, the requests the limit accepted and refused, and the accepted rate
 * against the limit, over the whole command and from its first IMS request to its last.
 *
 *   npx ts-node --transpile-only bench/rate-limit.ts [N]    (make bench runs it with N = 200)
 */
import { startEmulator, type RunningEmulator } from "../emulator";
import { PulumiWorkspace, assertPulumiCli, installPackedProject } from "../test/helpers/pulumi-cli";
import { line, ms, runMain, timed } from "./lib/measure";

const JOB_MS = 1000;
const LIMIT = 10;
const TYPE = "pulumi-nodejs:dynamic/ims:PrivateImage";

const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const ims = require("pulumi-ims");
const count = new pulumi.Config("bench").requireNumber("count");
for (let i = 0; i < count; i++) {
  new ims.PrivateImage("image-" + i, {
    name: "bench-rate-" + i,
    source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
    tags: { bench: "rate-limit" },
  });
}
`;

/** What the emulator's rate limit saw: requests it accepted and refused, and when the first and last came. */
class LimitCounter {
  accepted = 0;
  throttled = 0;
  first?: number;
  last?: number;

  constructor(emulator: RunningEmulator) {
    const limiter = emulator.runtime.rateLimit;
    const take = limiter.take.bind(limiter);
    limiter.take = (projectId) => {
      const refusal = take(projectId);
      const now = performance.now();
      this.first ??= now;
      this.last = now;
      if (refusal) this.throttled += 1;
      else this.accepted += 1;
      return refusal;
    };
  }

  reset(): void {
    this.accepted = 0;
    this.throttled = 0;
    this.first = undefined;
    this.last = undefined;
  }
}

const pct = (rate: number): string => `${rate.toFixed(2)}/s ${((100 * rate) / LIMIT).toFixed(0).padStart(4)} %`;

function report(command: string, failures: number, startedAt: number, wallMs: number, counter: LimitCounter): void {
  const spanMs = counter.first !== undefined && counter.last !== undefined ? counter.last - counter.first : 0;
  console.log(`${command}:`);
  line("  failures:", String(failures));
  line("  wall time:", ms(wallMs));
  line("  requests accepted:", String(counter.accepted));
  line("  requests throttled (429 APIGW.0308):", String(counter.throttled));
  line("  accepted rate over the command (% of the limit):", pct(counter.accepted / (wallMs / 1000)));
  line("  accepted rate, first to last IMS request:", spanMs > 0 ? pct(counter.accepted / (spanMs / 1000)) : "-");
  line("  first to last IMS request:", ms(spanMs));
  if (counter.first !== undefined && counter.last !== undefined) {
    line("  start to first IMS request, last to end:", `${ms(counter.first - startedAt)}, ${ms(startedAt + wallMs - counter.last)}`);
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  if (!Number.isInteger(count) || count < 1) throw new Error(`resource count must be a positive integer, got ${process.argv[2]}`);
  console.log(
    `pulumi ${await assertPulumiCli()}, node ${process.version}: ${count} PrivateImages with --parallel ${count}, IMS jobs of ${JOB_MS} ms, ` +
      `a rate limit of ${LIMIT} requests a second per project (Retry-After sent)`,
  );

  const ws = new PulumiWorkspace("bench-rate-limit");
  let emulator: RunningEmulator | undefined;
  try {
    emulator = await startEmulator({ jobDurationMs: JOB_MS, jobJitter: 0, rateLimit: { requestsPerSecond: LIMIT } });
    emulator.world.state.imageQuota = Math.max(emulator.world.state.imageQuota, 2 * count);
    const key = emulator.world.state.accessKeys[0];
    const counter = new LimitCounter(emulator);
    await installPackedProject(ws, "bench-rate-limit", PROGRAM, { javascript: true });

    const stack = "rate";
    await ws.pulumi(["stack", "init", stack]);
    for (const [k, v] of [
      ["bench:count", String(count)],
      ["ims:region", "ap-southeast-1"],
      ["ims:endpoint", emulator.url],
      ["ims:authUrl", `${emulator.url}/v3`],
    ]) {
      await ws.pulumi(["config", "set", k, v, "--stack", stack]);
    }
    // Credentials only in the environment, as users give them.
    const env = { HW_ACCESS_KEY: key.access, HW_SECRET_KEY: key.secret };
    const inState = async () => ((await ws.exportStack(stack)).deployment.resources ?? []).filter((r) => r.type === TYPE).length;
    const errors = (output: string) => output.split("\n").filter((l) => /error:/i.test(l));
    const shown: string[] = [];

    counter.reset();
    const upAt = performance.now();
    const [up, upMs] = await timed(() => ws.pulumiResult(["up", "--yes", "--stack", stack, "--parallel", String(count)], { env }));
    const created = await inState();
    const upFailures = count - created;
    if (up.code !== 0) shown.push(...errors(up.stdout + up.stderr));
    report("pulumi up", upFailures, upAt, upMs, counter);

    counter.reset();
    const destroyAt = performance.now();
    const [destroy, destroyMs] = await timed(() => ws.pulumiResult(["destroy", "--yes", "--stack", stack, "--parallel", String(count)], { env }));
    const left = await inState();
    const images = emulator.world.state.images.filter((i) => i.imagetype === "private" && i.status !== "deleted").length;
    const destroyFailures = Math.max(left, images);
    if (destroy.code !== 0) shown.push(...errors(destroy.stdout + destroy.stderr));
    report("pulumi destroy", destroyFailures, destroyAt, destroyMs, counter);

    if (upFailures + destroyFailures > 0 || up.code !== 0 || destroy.code !== 0) {
      throw new Error(`failures under the rate limit (up exit ${up.code}, destroy exit ${destroy.code}):\n${shown.slice(0, 10).join("\n")}`);
    }
  } finally {
    await emulator?.close();
    ws.cleanup();
  }
}

runMain(main);
