/**
 * A benchmark stack: a program installed from the packed package, configured for an in-process
 * ims-emulator, measured through `pulumi up` and `pulumi destroy` with the emulator's request
 * metrics of each step.
 */
import type { RunningEmulator } from "../../emulator";
import { ImsClient, jobImageIds } from "../../provider/client";
import type { RouteMetrics } from "../../emulator/http/metrics";
import { ROUTES } from "../../emulator/http/server";
import type { PulumiWorkspace } from "../../test/helpers/pulumi-cli";
import { timed } from "./measure";

export interface StepFigures {
  ms: number;
  /** IMS and IAM requests the emulator served during the step. */
  requests: number;
  routes: RouteMetrics[];
}

export interface StackFigures {
  up: StepFigures;
  destroy: StepFigures;
  /** Bytes of state per resource of the measured type. */
  bytesPerResource: number;
}

/**
 * Creates `stack` with `config` (plus the emulator's endpoints), runs `up` and `destroy` with the
 * credentials in `env`, and checks that the state held `count` resources of `type`.
 */
export async function measureStack(
  ws: PulumiWorkspace,
  emulator: RunningEmulator,
  env: Record<string, string>,
  stack: string,
  config: Record<string, string>,
  expect: { type: string; count: number },
  extra: readonly string[] = [],
): Promise<StackFigures> {
  await ws.pulumi(["stack", "init", stack]);
  const settings = { "ims:region": "ap-southeast-1", "ims:endpoint": emulator.url, "ims:authUrl": `${emulator.url}/v3`, ...config };
  for (const [k, v] of Object.entries(settings)) await ws.pulumi(["config", "set", "--path", k, v, "--stack", stack]);
  const step = async (args: string[]): Promise<StepFigures> => {
    emulator.runtime.metrics.reset();
    const [, ms] = await timed(() => ws.pulumi([...args, "--yes", "--stack", stack, ...extra], { env }));
    const snapshot = emulator.runtime.metrics.snapshot();
    return { ms, requests: snapshot.requests, routes: snapshot.routes };
  };
  const up = await step(["up"]);
  const state = await ws.exportStack(stack);
  const resources = (state.deployment.resources ?? []).filter((r) => r.type === expect.type);
  if (resources.length !== expect.count) throw new Error(`${stack}: ${resources.length} resources of ${expect.type} in the state, expected ${expect.count}`);
  const bytes = resources.reduce((n, r) => n + JSON.stringify(r).length, 0);
  const destroy = await step(["destroy"]);
  return { up, destroy, bytesPerResource: Math.round(bytes / expect.count) };
}

/** Requests of `method route` (any status) in a step. */
export const requestsTo = (figures: StepFigures, method: string, route: string): number =>
  figures.routes.filter((r) => r.method === method && r.route === route).reduce((n, r) => n + r.count, 0);

/** "METHOD route ×n" for every route of a step, most requested first. */
export const routeSummary = (figures: StepFigures): string =>
  Object.entries(
    figures.routes.reduce<Record<string, number>>((acc, r) => {
      const key = `${r.method} ${r.route}`;
      acc[key] = (acc[key] ?? 0) + r.count;
      return acc;
    }, {}),
  )
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join(", ");

/** An active image of the main project made from the sample file, outside the measured stacks. */
export async function sourceImage(emulator: RunningEmulator, key: { access: string; secret: string }): Promise<string> {
  const client = new ImsClient({
    endpoint: emulator.url,
    auth: { authUrl: `${emulator.url}/v3`, region: "ap-southeast-1", credentials: { kind: "aksk", accessKey: key.access, secretKey: key.secret } },
  });
  const job = await client.images.createFromFile({ name: "bench-source", imageUrl: "images-bucket:ubuntu-24.04.qcow2", minDisk: 40, osVersion: "Ubuntu 24.04 server 64bit" });
  const [imageId] = jobImageIds(await client.jobs.wait(job.job_id, { timeoutMs: 60_000 }));
  if (!imageId) throw new Error("the source image job named no image");
  return imageId;
}

/**
 * The program of the image benchmarks: N resources of the kind the stack's `bench:kind` names,
 * Probes (dynamic resources that call no API) or PrivateImages imported from the sample OBS file,
 * tagged `bench=<tag>`.
 */
export const imagesOrProbesProgram = (tag: string): string => `const pulumi = require("@pulumi/pulumi");
const ims = require("pulumi-ims");
const { Probe } = require("pulumi-ims/testing");
const config = new pulumi.Config("bench");
const count = config.requireNumber("count");
for (let i = 0; i < count; i++) {
  if (config.require("kind") === "probe") new Probe("probe-" + i, { message: "probe " + i });
  else {
    new ims.PrivateImage("image-" + i, {
      name: "bench-image-" + i,
      description: "Benchmark image " + i,
      source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
      minRam: 1024,
      tags: { bench: ${JSON.stringify(tag)}, index: String(i) },
    });
  }
}
`;

/** The family of each route template of the emulator: "iam", "ims" or "admin". */
const FAMILY = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r.family]));

/** Whether a route of the emulator's metrics is an IAM one (tokens, projects), not IMS. */
export const isIamRoute = (r: Pick<RouteMetrics, "method" | "route">): boolean => FAMILY.get(`${r.method} ${r.route}`) === "iam";

/** Requests to IMS (extension and Glance-compatible APIs) among the emulator's metrics, IAM and admin left out. */
export const imsRequests = (routes: readonly RouteMetrics[]): number =>
  routes.filter((r) => FAMILY.get(`${r.method} ${r.route}`) === "ims").reduce((n, r) => n + r.count, 0);
