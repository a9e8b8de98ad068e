/**
 * Throughput and latency of ims-emulator with 1,000 images: `GET /v2/cloudimages?id=` and job
 * polling (`GET /v1/{project_id}/jobs/{job_id}`). The emulator runs in its own process (one
 * core, as Node runs it); this process drives it over keep-alive connections.
 *
 *   npx ts-node --transpile-only bench/emulator.ts [requests per scenario] [concurrency]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { Pool } from "undici";
import { defaultWorldState } from "../emulator/domain/world";
import { stableUuid } from "../emulator/domain/ids";
import type { Image, Job } from "../emulator/domain/model";

const repo = resolve(__dirname, "..");
const IMAGES = 1000;

function startEmulatorProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [resolve(repo, "dist/emulator/cli.js"), "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolvePromise, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolvePromise({ child, url: m[1] });
    });
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code} before listening (run make build first)`)));
  });
}

/** The default world plus 1,000 active private images and as many finished jobs. */
function worldWithImages() {
  const state = defaultWorldState();
  const owner = state.accessKeys[0].defaultProjectId;
  const template = state.images[0];
  const now = Date.now();
  for (let i = 0; i < IMAGES; i++) {
    const image: Image = {
      ...structuredClone(template),
      id: stableUuid(`bench:${i}`),
      owner,
      name: `bench-image-${i}`,
      imagetype: "private",
      protected: false,
      origin: { kind: "file", url: "images-bucket:ubuntu-24.04.qcow2", quick: false },
      tags: [{ key: "bench", value: String(i % 10) }],
    };
    state.images.push(image);
    const job: Job = {
      id: stableUuid(`job:${i}`).replace(/-/g, ""),
      projectId: owner,
      region: image.region,
      type: "imsImportImageJob",
      status: "SUCCESS",
      beginTime: now - 5000,
      endTime: now - 1000,
      errorCode: null,
      failReason: null,
      entities: { image_id: image.id, image_name: image.name },
      plan: { runAt: now - 4000, endAt: now - 1000, outcome: "SUCCESS" },
      effect: { kind: "none" },
      settled: true,
    };
    state.jobs.push(job);
  }
  return state;
}

async function load(pool: Pool, paths: string[], headers: Record<string, string>, total: number, concurrency: number) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const path = paths[next++ % paths.length];
        const t0 = process.hrtime.bigint();
        const res = await pool.request({ method: "GET", path, headers });
        await res.body.arrayBuffer();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.statusCode !== 200) failures++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { rps: total / seconds, p50: q(0.5), p99: q(0.99), failures };
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 20_000);
  const concurrency = Number(process.argv[3] ?? 16);
  const { child, url } = await startEmulatorProcess();
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  try {
    const state = worldWithImages();
    const put = await pool.request({ method: "PUT", path: "/_emulator/world", body: JSON.stringify(state), headers: { "content-type": "application/json" } });
    if (put.statusCode !== 200) throw new Error(`loading the world failed: ${put.statusCode} ${await put.body.text()}`);
    await put.body.arrayBuffer();
    const auth = {
      auth: {
        identity: { methods: ["password"], password: { user: { name: "ims-user", password: "ims-emulator-password", domain: { name: "ims-emulator" } } } },
        scope: { project: { name: "ap-southeast-1" } },
      },
    };
    const tokenRes = await pool.request({ method: "POST", path: "/v3/auth/tokens", body: JSON.stringify(auth), headers: { "content-type": "application/json" } });
    await tokenRes.body.arrayBuffer();
    const headers = { "x-auth-token": String(tokenRes.headers["x-subject-token"]) };
    const project = state.accessKeys[0].defaultProjectId;
    const images = state.images.filter((i) => i.owner === project).map((i) => `/v2/cloudimages?id=${i.id}`);
    const jobs = state.jobs.map((j) => `/v1/${project}/jobs/${j.id}`);

    await load(pool, images, headers, 2000, concurrency); // warm-up
    console.log(`ims-emulator, ${IMAGES} images, ${total} requests per scenario, ${concurrency} connections, node ${process.version}`);
    for (const [name, paths] of [
      ["GET /v2/cloudimages?id=", images],
      ["GET /v1/{project_id}/jobs/{job_id}", jobs],
    ] as const) {
      const r = await load(pool, paths, headers, total, concurrency);
      console.log(
        `${name.padEnd(36)} ${r.rps.toFixed(0).padStart(6)} requests/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms` +
          (r.failures ? `   ${r.failures} non-200 answers` : ""),
      );
      if (r.failures) process.exitCode = 1;
    }
  } finally {
    await pool.close();
    child.kill("SIGTERM");
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
