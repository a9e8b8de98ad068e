/**
 * How PrivateImages scale with the size of a stack: for each N, a stack of N PrivateImages (OBS
 * import, jobs of 1 s on ims-emulator, no jitter) against a stack of N Probes (dynamic resources
 * that call no API, as in bench/noop-stack.ts), with pulumi-ims installed from its tarball as users
 * install it, one emulator for the whole run. For every N it prints:
 *
 * - the wall time of `pulumi up`, a no-change `pulumi preview`, `pulumi refresh --yes` and
 *   `pulumi destroy --yes` of both stacks, and the ratio PrivateImage / Probe; and of up, refresh
 *   and destroy of the images again with `--parallel` raised (the work is I/O bound: jobs wait);
 * - the engine's waves (ceil(N / parallel)) and the bound `no-op up + job time × waves`, which an
 *   images up should stay within 1.2 times of;
 * - the IMS requests per image of each operation, in all and route by route (method and route
 *   template, any other status than 2xx named), and the IAM requests (tokens, projects) of each
 *   operation in all, from the emulator's metrics;
 * - the peak resident memory (VmHWM) of the dynamic provider's Node process during each operation,
 *   sampled from /proc every 100 ms (Linux only);
 * - the state each resource takes.
 *
 * and at the end a summary across the N values.
 *
 *   npx ts-node --transpile-only bench/scale.ts [N ...] [--parallel P]
 *       (make bench runs it with N = 20; by hand e.g. `bench/scale.ts 20 100 500`, which takes minutes)
 *   IMS_BENCH_PARALLEL=P   the raised --parallel, as the flag (default 64)
 */
import { availableParallelism } from "node:os";
import { startEmulator, type RunningEmulator } from "../emulator";
import { PulumiWorkspace, assertPulumiCli, installPackedProject, run } from "../test/helpers/pulumi-cli";
import { imagesOrProbesProgram, isIamRoute } from "./lib/stack";
import { line, ms, row, runMain } from "./lib/measure";
import { runPulumiSampled } from "./lib/rss";

const JOB_MS = 1000;
const DEFAULT_RAISED_PARALLEL = 64;
const IMAGE = "pulumi-nodejs:dynamic/ims:PrivateImage";
const PROBE = "pulumi-nodejs:dynamic/ims:Probe";
/**
 * The Node process the engine starts for dynamic resources: `node …/@pulumi/pulumi/cmd/dynamic-provider/index.js`,
 * under a shell wrapper that first runs a short `node -e` to find that path (not counted).
 */
const isDynamicProvider = (cmdline: string): boolean => /\/@pulumi\/pulumi\/cmd\/dynamic-provider\/index\.js\b/.test(cmdline);

const PROGRAM = imagesOrProbesProgram("scale");

type Op = "up" | "preview" | "refresh" | "destroy";

interface OpFigures {
  ms: number;
  /** IMS requests (with the Glance-style routes) and IAM requests the emulator served. */
  ims: number;
  iam: number;
  /** Requests per "METHOD route" (with the status when not 2xx), IMS routes only. */
  imsRoutes: Map<string, number>;
  iamRoutes: Map<string, number>;
  /** Largest VmHWM of a dynamic provider process, bytes; its largest RssAnon sampled; how many such processes ran. */
  rssBytes: number;
  anonBytes: number;
  providers: number;
}

interface StackRun {
  ops: Partial<Record<Op, OpFigures>>;
  bytesPerResource: number;
}

interface Options {
  counts: number[];
  raised: number;
}

function options(): Options {
  const args = process.argv.slice(2);
  let raisedText = process.env.IMS_BENCH_PARALLEL ?? String(DEFAULT_RAISED_PARALLEL);
  const counts: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--parallel") raisedText = args[++i] ?? "";
    else if (arg.startsWith("--parallel=")) raisedText = arg.slice("--parallel=".length);
    else {
      const n = Number(arg);
      if (!Number.isInteger(n) || n < 1) throw new Error(`resource counts must be positive integers, got ${arg}`);
      counts.push(n);
    }
  }
  const raised = Number(raisedText);
  if (!Number.isInteger(raised) || raised < 1) throw new Error(`--parallel must be a positive integer, got ${raisedText}`);
  return { counts: counts.length > 0 ? counts : [20], raised };
}

/** The CLI's default `--parallel` as `pulumi up --help` states it (4 × CPUs otherwise). */
async function defaultParallel(ws: PulumiWorkspace): Promise<number> {
  const help = await run("pulumi", ["up", "--help"], { cwd: ws.dir, env: ws.env, timeoutMs: 30_000 });
  const stated = /--parallel\b.*\(default (\d+)\)/.exec(help.stdout)?.[1];
  return stated ? Number(stated) : 4 * availableParallelism();
}


async function main(): Promise<void> {
  const { counts, raised } = options();
  const ws = new PulumiWorkspace("bench-scale");
  let emulator: RunningEmulator | undefined;
  try {
    const cliVersion = await assertPulumiCli();
    const parallel = await defaultParallel(ws);
    console.log(
      `pulumi ${cliVersion}, node ${process.version}, ${availableParallelism()} CPUs, default --parallel ${parallel}, ` +
        `raised --parallel ${raised}, IMS jobs of ${JOB_MS} ms (no jitter), N = ${counts.join(", ")}`,
    );

    emulator = await startEmulator({ jobDurationMs: JOB_MS, jobJitter: 0 });
    emulator.world.state.imageQuota = Math.max(emulator.world.state.imageQuota, 2 * Math.max(...counts));
    const key = emulator.world.state.accessKeys[0];
    await installPackedProject(ws, "bench-scale", PROGRAM, { javascript: true });
    // Credentials only in the environment, as users give them.
    const env = { HW_ACCESS_KEY: key.access, HW_SECRET_KEY: key.secret };
    const em = emulator;

    const operation = async (args: string[]): Promise<OpFigures> => {
      em.runtime.metrics.reset();
      const result = await runPulumiSampled(ws, args, env, isDynamicProvider);
      const figures: OpFigures = { ms: result.ms, ims: 0, iam: 0, imsRoutes: new Map(), iamRoutes: new Map(), rssBytes: result.peakRssBytes, anonBytes: result.peakAnonBytes, providers: result.processes };
      for (const r of em.runtime.metrics.snapshot().routes) {
        const iam = isIamRoute(r);
        const key = `${r.method} ${r.route}${r.status >= 200 && r.status < 300 ? "" : ` → ${r.status || "reset"}`}`;
        const routes = iam ? figures.iamRoutes : figures.imsRoutes;
        routes.set(key, (routes.get(key) ?? 0) + r.count);
        if (iam) figures.iam += r.count;
        else figures.ims += r.count;
      }
      return figures;
    };

    const measureStack = async (stack: string, kind: "probe" | "image", count: number, extra: string[], withPreview: boolean): Promise<StackRun> => {
      const type = kind === "probe" ? PROBE : IMAGE;
      process.stderr.write(`N = ${count}: ${stack} …\n`);
      await ws.pulumi(["stack", "init", stack]);
      const settings: [string, string][] = [
        ["bench:kind", kind],
        ["bench:count", String(count)],
        ["ims:region", "ap-southeast-1"],
        ["ims:endpoint", em.url],
        ["ims:authUrl", `${em.url}/v3`],
      ];
      for (const [k, v] of settings) await ws.pulumi(["config", "set", k, v, "--stack", stack]);
      const at = ["--stack", stack, ...extra];
      const ops: StackRun["ops"] = {};
      ops.up = await operation(["up", "--yes", ...at]);
      const state = await ws.exportStack(stack);
      const resources = (state.deployment.resources ?? []).filter((r) => r.type === type);
      if (resources.length !== count) throw new Error(`${stack}: ${resources.length} resources of ${type} in the state, expected ${count}`);
      const bytes = resources.reduce((n, r) => n + JSON.stringify(r).length, 0);
      if (withPreview) ops.preview = await operation(["preview", "--expect-no-changes", ...at]);
      ops.refresh = await operation(["refresh", "--yes", "--expect-no-changes", ...at]);
      ops.destroy = await operation(["destroy", "--yes", ...at]);
      if (kind === "image") {
        const left = em.world.state.images.filter((i) => i.imagetype === "private" && i.status !== "deleted").length;
        if (left !== 0) throw new Error(`${stack}: ${left} private images are left after destroy`);
      }
      await ws.pulumi(["stack", "rm", "--yes", "--stack", stack]);
      return { ops, bytesPerResource: Math.round(bytes / count) };
    };

    const summary: { count: number; probes: StackRun; images: StackRun; wide: StackRun }[] = [];
    for (const count of counts) {
      const probes = await measureStack(`probes-${count}`, "probe", count, [], true);
      const images = await measureStack(`images-${count}`, "image", count, [], true);
      const wide = await measureStack(`images-p${raised}-${count}`, "image", count, ["--parallel", String(raised)], false);
      summary.push({ count, probes, images, wide });
      report(count, parallel, raised, probes, images, wide);
    }
    if (summary.length > 1) reportSummary(summary, parallel, raised);
  } finally {
    await emulator?.close();
    ws.cleanup();
  }
}

const OPS: Op[] = ["up", "preview", "refresh", "destroy"];
const ratio = (a: number, b: number): string => (a / b).toFixed(2);
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const perImage = (n: number, count: number): string => (n / count).toFixed(n / count < 0.1 ? 3 : 2);
const waves = (count: number, parallel: number): number => Math.ceil(count / parallel);
/** The time an images up should stay within 1.2 times of: the no-op up plus one job per wave. */
const bound = (probeUpMs: number, count: number, parallel: number): number => probeUpMs + JOB_MS * waves(count, parallel);

function report(count: number, parallel: number, raised: number, probes: StackRun, images: StackRun, wide: StackRun): void {
  const p = probes.ops;
  const i = images.ops;
  const w = wide.ops;
  console.log(`\n== N = ${count}: ${count} PrivateImages against ${count} Probes, IMS jobs of ${JOB_MS} ms`);
  row("wall time", ["Probe", "Image", "ratio", `Image -p ${raised}`, "ratio"]);
  for (const op of OPS) {
    const probe = p[op]!.ms;
    const image = i[op]!.ms;
    const raisedMs = w[op]?.ms;
    row(`  pulumi ${op}${op === "preview" ? " (no change)" : ""}`, [
      ms(probe),
      ms(image),
      ratio(image, probe),
      raisedMs === undefined ? "-" : ms(raisedMs),
      raisedMs === undefined ? "-" : ratio(raisedMs, probe),
    ]);
  }

  line("IMS job time:", ms(JOB_MS));
  for (const [label, par, up] of [
    [`--parallel ${parallel} (default)`, parallel, i.up!.ms],
    [`--parallel ${raised}`, raised, w.up!.ms],
  ] as const) {
    const b = bound(p.up!.ms, count, par);
    line(`waves at ${label}:`, String(waves(count, par)));
    line(`  bound no-op up + job × waves; 1.2 × bound:`, `${ms(b)}; ${ms(1.2 * b)}`);
    line(`  Image up / bound (at most 1.2 expected):`, ratio(up, b));
  }

  const columns: [string, OpFigures][] = [
    ...OPS.map((op): [string, OpFigures] => [op, i[op]!]),
    ...(["up", "refresh", "destroy"] as const).map((op): [string, OpFigures] => [`${op} -p${raised}`, w[op]!]),
  ];
  const routes = (which: "imsRoutes" | "iamRoutes"): string[] =>
    [...new Set(columns.flatMap(([, f]) => [...f[which].keys()]))].sort((a, b) => {
      const total = (k: string) => columns.reduce((n, [, f]) => n + (f[which].get(k) ?? 0), 0);
      return total(b) - total(a) || a.localeCompare(b);
    });
  const labelWidth = Math.max(40, ...[...routes("imsRoutes"), ...routes("iamRoutes")].map((k) => k.length + 4));
  row("IMS requests per image", columns.map(([name]) => name), labelWidth, 14);
  row("  all IMS routes", columns.map(([, f]) => perImage(f.ims, count)), labelWidth, 14);
  for (const k of routes("imsRoutes")) row(`  ${k}`, columns.map(([, f]) => perImage(f.imsRoutes.get(k) ?? 0, count)), labelWidth, 14);
  row("IAM requests per operation (not per image)", columns.map(([name]) => name), labelWidth, 14);
  row("  all IAM routes", columns.map(([, f]) => String(f.iam)), labelWidth, 14);
  for (const k of routes("iamRoutes")) row(`  ${k}`, columns.map(([, f]) => String(f.iamRoutes.get(k) ?? 0)), labelWidth, 14);
  const probeRequests = OPS.reduce((n, op) => n + p[op]!.ims + p[op]!.iam, 0);
  if (probeRequests !== 0) console.log(`(the Probe stack made ${probeRequests} requests to the emulator)`);

  row("dynamic provider peak RSS / anon, MB", ["Probe", "Image", `Image -p ${raised}`]);
  const rss = (f: OpFigures | undefined) => (f === undefined ? "-" : `${mb(f.rssBytes)} / ${mb(f.anonBytes)}`);
  for (const op of OPS) row(`  pulumi ${op}`, [rss(p[op]), rss(i[op]), rss(w[op])]);
  const processes = [...OPS.map((op) => p[op]!.providers), ...OPS.map((op) => i[op]!.providers)];
  line("dynamic provider processes per operation:", `${Math.min(...processes)} to ${Math.max(...processes)}`);

  line("Probe state per resource:", `${probes.bytesPerResource} bytes`);
  line("PrivateImage state per resource:", `${images.bytesPerResource} bytes`);
}

function reportSummary(runs: { count: number; probes: StackRun; images: StackRun; wide: StackRun }[], parallel: number, raised: number): void {
  console.log(`\n== Summary across N (default --parallel ${parallel}, raised --parallel ${raised}, IMS jobs of ${JOB_MS} ms)`);
  row("", runs.map((r) => `N = ${r.count}`));
  const each = (label: string, f: (r: (typeof runs)[number]) => string) => row(label, runs.map(f));
  each("Probe up", (r) => ms(r.probes.ops.up!.ms));
  each("Image up", (r) => ms(r.images.ops.up!.ms));
  each("up ratio Image / Probe", (r) => ratio(r.images.ops.up!.ms, r.probes.ops.up!.ms));
  each(`Image up / bound at --parallel ${parallel}`, (r) => ratio(r.images.ops.up!.ms, bound(r.probes.ops.up!.ms, r.count, parallel)));
  each(`Image up --parallel ${raised}`, (r) => ms(r.wide.ops.up!.ms));
  each(`up ratio Image -p ${raised} / Probe`, (r) => ratio(r.wide.ops.up!.ms, r.probes.ops.up!.ms));
  each(`Image up -p ${raised} / bound at --parallel ${raised}`, (r) => ratio(r.wide.ops.up!.ms, bound(r.probes.ops.up!.ms, r.count, raised)));
  each("preview ratio Image / Probe", (r) => ratio(r.images.ops.preview!.ms, r.probes.ops.preview!.ms));
  each("refresh ratio Image / Probe", (r) => ratio(r.images.ops.refresh!.ms, r.probes.ops.refresh!.ms));
  each("destroy ratio Image / Probe", (r) => ratio(r.images.ops.destroy!.ms, r.probes.ops.destroy!.ms));
  each("IMS requests per image, refresh", (r) => perImage(r.images.ops.refresh!.ims, r.count));
  each("IMS requests in all, refresh", (r) => String(r.images.ops.refresh!.ims));
  each("IMS requests per image, up + destroy", (r) => perImage(r.images.ops.up!.ims + r.images.ops.destroy!.ims, r.count));
  each(`IMS requests per image, up + destroy -p ${raised}`, (r) => perImage(r.wide.ops.up!.ims + r.wide.ops.destroy!.ims, r.count));
  each("IAM requests, up + destroy", (r) => String(r.images.ops.up!.iam + r.images.ops.destroy!.iam));
  each("provider peak RSS, Probe up, MB", (r) => mb(r.probes.ops.up!.rssBytes));
  each("provider peak RSS, Image up, MB", (r) => mb(r.images.ops.up!.rssBytes));
  each(`provider peak RSS, Image up -p ${raised}, MB`, (r) => mb(r.wide.ops.up!.rssBytes));
  each("PrivateImage state per resource, bytes", (r) => String(r.images.bytesPerResource));
}

runMain(main);
