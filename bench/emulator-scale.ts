/**
 * ims-emulator with many images in one world: a state file of N private images of one project
 * (each with 2 tags and a finished creation job), loaded by an emulator process of its own. Prints
 * the start-up time, p50/p99 of the provider's per-image read (`GET /v2/cloudimages?id=`), of list
 * pages by owner (`owner`, `limit`, `marker`) with and without a `tag` filter, of job polls, and of
 * one persisted change (`PATCH /v2/cloudimages/{id}`, and the state-file write it makes), and the
 * emulator's resident memory.
 *
 *   npx ts-node --transpile-only bench/emulator-scale.ts [images]      (make bench runs it with 2,000)
 *   IMS_BENCH_IMAGES=100000 npx ts-node --transpile-only bench/emulator-scale.ts
 *   IMS_BENCH_CLI=/path/to/dist/emulator/cli.js …   measures another build of the emulator
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Pool } from "undici";
import { stableHex32, stableUuid } from "../emulator/domain/ids";
import type { Image, Job, WorldState } from "../emulator/domain/model";
import { defaultWorldState } from "../emulator/domain/world";
import { line, ms, runMain } from "./lib/measure";

const DEFAULT_IMAGES = 2_000;
const LIMIT = 500;
/** List pages walked per scenario: every page of a small world, the first 40 of a large one. */
const MAX_PAGES = 40;
/** Persisted changes measured. */
const WRITES = 100;

function imageCount(): number {
  const raw = process.argv[2] ?? process.env.IMS_BENCH_IMAGES ?? String(DEFAULT_IMAGES);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`the number of images must be a positive whole number, got ${raw}`);
  return n;
}

/** The default world plus `n` active images of its first project, created a second apart, and their jobs. */
function bigWorld(n: number): WorldState {
  const state = defaultWorldState();
  const project = state.projects[0];
  const start = Date.parse("2026-02-01T00:00:00Z");
  for (let i = 0; i < n; i++) {
    const created = start + i * 1000;
    const image: Image = {
      id: stableUuid(`scale-image:${i}`),
      region: project.region,
      owner: project.id,
      name: `scale-${String(i).padStart(6, "0")}`,
      description: "",
      status: "active",
      imagetype: "private",
      protected: false,
      registered: true,
      containerFormat: "bare",
      diskFormat: "qcow2",
      minDisk: 40,
      minRam: 0,
      osVersion: "Ubuntu 24.04 server 64bit",
      virtualEnvType: "FusionCompute",
      size: 21_474_836_480,
      checksum: stableHex32(`scale-md5:${i}`),
      createdAt: created,
      updatedAt: created,
      activeAt: created + 3000,
      origin: { kind: "file", url: "images-bucket:ubuntu-24.04.qcow2", quick: false },
      properties: { __root_origin: "file", __data_origin: "file,images-bucket:ubuntu-24.04.qcow2", hw_firmware_type: "bios" },
      tags: [
        { key: "team", value: `team-${i % 7}` },
        { key: "shard", value: String(i % 100) },
      ],
      members: [],
    };
    const job: Job = {
      id: stableHex32(`scale-job:${i}`),
      projectId: project.id,
      region: project.region,
      type: "imsImportImageJob",
      status: "SUCCESS",
      beginTime: created,
      endTime: created + 3000,
      errorCode: null,
      failReason: null,
      entities: { image_id: image.id, image_name: image.name },
      plan: { runAt: created + 600, endAt: created + 3000, outcome: "SUCCESS" },
      effect: { kind: "activate", imageIds: [image.id] },
      settled: true,
    };
    state.images.push(image);
    state.jobs.push(job);
  }
  state.imageQuota = n + 100;
  return state;
}

interface Started {
  child: ChildProcess;
  url: string;
  startMs: number;
}

function startProcess(cli: string, stateFile: string): Promise<Started> {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [cli, "--port", "0", "--state-file", stateFile], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((done, fail) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) done({ child, url: m[1], startMs: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
    child.once("exit", (code) => fail(new Error(`the emulator exited with ${code} before listening (run make build first)`)));
  });
}

/** Stops the emulator and waits for it to exit (it writes its state file whole first). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  await exited;
}

/** Resident and peak resident memory of a process, in MB (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  } catch {
    return undefined;
  }
}

interface Latencies {
  p50: number;
  p99: number;
  count: number;
}

function quantiles(samples: number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), count: sorted.length };
}

const fmt = (l: Latencies): string => `p50 ${l.p50.toFixed(2)} ms  p99 ${l.p99.toFixed(2)} ms  (${l.count})`;

class Client {
  constructor(
    private readonly pool: Pool,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** One request: its status, its JSON body and how long it took. */
  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; headers: Record<string, unknown>; ms: number }> {
    const t0 = process.hrtime.bigint();
    const res = await this.pool.request({
      method: method as "GET",
      path,
      headers: { ...this.headers, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    const took = Number(process.hrtime.bigint() - t0) / 1e6;
    return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers, ms: took };
  }

  /** `count` requests of `path(i)`, `concurrency` at a time; every answer must be 200. */
  async measure(count: number, concurrency: number, path: (i: number) => string): Promise<Latencies> {
    const samples: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const p = path(next++);
          const r = await this.call("GET", p);
          if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${JSON.stringify(r.body)}`);
          samples.push(r.ms);
        }
      }),
    );
    return quantiles(samples);
  }

  /** Walks list pages of `query` by marker; returns the latency of each page and how many images it saw. */
  async pages(query: string): Promise<{ latencies: Latencies; images: number }> {
    const samples: number[] = [];
    let marker = "";
    let images = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const path = `/v2/cloudimages?${query}&limit=${LIMIT}${marker ? `&marker=${marker}` : ""}`;
      const r = await this.call<{ images: { id: string }[] }>("GET", path);
      if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      samples.push(r.ms);
      images += r.body.images.length;
      if (r.body.images.length < LIMIT) break;
      marker = r.body.images[r.body.images.length - 1].id;
    }
    return { latencies: quantiles(samples), images };
  }
}

/** A token of the world's first project (IAM password authentication), as the X-Auth-Token header. */
async function tokenHeader(client: Client, state: WorldState): Promise<Record<string, string>> {
  const user = state.users[0];
  const domain = state.domains.find((d) => d.id === user.domainId)!;
  const identity = { methods: ["password"], password: { user: { name: user.name, password: user.password, domain: { name: domain.name } } } };
  const res = await client.call("POST", "/v3/auth/tokens", { auth: { identity, scope: { project: { id: state.projects[0].id } } } });
  const token = res.headers["x-subject-token"];
  if (res.status !== 201 || typeof token !== "string") throw new Error(`no token: ${res.status} ${JSON.stringify(res.body)}`);
  return { "x-auth-token": token };
}

async function main(): Promise<void> {
  const n = imageCount();
  const cli = resolve(process.env.IMS_BENCH_CLI ?? resolve(__dirname, "../dist/emulator/cli.js"));
  const dir = mkdtempSync(join(tmpdir(), "ims-emulator-scale-"));
  const stateFile = join(dir, "world.json");
  let child: ChildProcess | undefined;
  try {
    const state = bigWorld(n);
    writeFileSync(stateFile, JSON.stringify(state));
    console.log(`ims-emulator with ${n.toLocaleString("en")} images of one project (state file ${(statSync(stateFile).size / 1e6).toFixed(1)} MB), node ${process.version}`);

    const started = await startProcess(cli, stateFile);
    child = started.child;
    const loaded = memoryOf(child.pid!);
    const pool = new Pool(started.url, { connections: 4, pipelining: 1 });
    try {
      const anonymous = new Client(pool);
      const client = new Client(pool, await tokenHeader(anonymous, state));
      const project = state.projects[0].id;
      const ids = state.images.filter((i) => i.owner === project).map((i) => i.id);
      const jobs = state.jobs.map((j) => j.id);
      // A fixed pseudo-random walk over the ids, the same in every run.
      const pick = (list: string[], i: number) => list[(i * 7919 + 13) % list.length];

      await client.measure(500, 4, (i) => `/v2/cloudimages?id=${pick(ids, i)}`); // warm-up
      const byId = await client.measure(4000, 4, (i) => `/v2/cloudimages?id=${pick(ids, i)}`);
      const polls = await client.measure(4000, 4, (i) => `/v1/${project}/jobs/${pick(jobs, i)}`);
      const owned = await client.pages(`owner=${project}`);
      const tagged = await client.pages(`owner=${project}&tag=shard=7`);

      // One persisted change after another; after each, the first list page (sorted again, since the world changed).
      const writes: number[] = [];
      const listsAfterChange: number[] = [];
      for (let i = 0; i < WRITES; i++) {
        const id = pick(ids, i);
        const r = await client.call("PATCH", `/v2/cloudimages/${id}`, [{ op: "replace", path: "/name", value: `renamed-${i}` }], {
          "content-type": "application/openstack-images-v2.1-json-patch",
        });
        if (r.status !== 200) throw new Error(`PATCH /v2/cloudimages/${id}: ${r.status} ${JSON.stringify(r.body)}`);
        writes.push(r.ms);
        if (i % 5 === 0) listsAfterChange.push((await client.measure(1, 1, () => `/v2/cloudimages?owner=${project}&limit=${LIMIT}`)).p50);
      }
      const metrics = await anonymous.call<{ stateFile?: { journalWrites: { count: number; bytes: number; p50Ms: number; p99Ms: number } } }>("GET", "/_emulator/metrics");
      const after = memoryOf(child.pid!);

      line("start-up from the state file:", ms(started.startMs));
      line("GET /v2/cloudimages?id= (4 connections):", fmt(byId));
      line("GET /v1/{project_id}/jobs/{id} (4 connections):", fmt(polls));
      line(`list page, owner, limit ${LIMIT} (${owned.images} images):`, fmt(owned.latencies));
      line(`list page, owner + tag, limit ${LIMIT} (${tagged.images} images):`, fmt(tagged.latencies));
      line("first list page right after a change:", fmt(quantiles(listsAfterChange)));
      line("PATCH /v2/cloudimages/{id}, persisted:", fmt(quantiles(writes)));
      const persisted = metrics.body.stateFile?.journalWrites;
      line(
        "  of which the state-file write:",
        persisted ? `${fmt({ p50: persisted.p50Ms, p99: persisted.p99Ms, count: persisted.count })}, ${(persisted.bytes / persisted.count).toFixed(0)} bytes each` : "not reported by this build",
      );
      if (loaded) line("RSS after start-up (MB):", loaded.rss.toFixed(0));
      if (after) line("RSS after the runs / peak (MB):", `${after.rss.toFixed(0)} / ${after.peak.toFixed(0)}`);
    } finally {
      await pool.close();
    }
    const t0 = process.hrtime.bigint();
    await stop(child);
    line("stop (SIGTERM; the state file written whole):", ms(Number(process.hrtime.bigint() - t0) / 1e6));
  } finally {
    if (child) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain(main);
