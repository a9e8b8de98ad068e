/**
 * Job waiting: 50 concurrent IMS jobs of 2–8 s on ims-emulator, waited for by the client's
 * adaptive waiter and by the Terraform providers' schedule (first poll after 10 s, then every
 * 10 s) run through the same client; then one 60 s job, and 10 jobs of 2–4 minutes (as the real
 * service's). Prints detection latency (job end →
 * caller notified) p50/p95, polls per job, total requests and token requests.
 *
 *   npx ts-node --transpile-only bench/jobs.ts
 */
import { startEmulator } from "../emulator";
import { clearAuthCaches, closeAllPools, ImsClient, tokenRequestCount, type Job } from "../provider/client";
import { waitForJob } from "../provider/client/core/waiter";

const JOBS = 50;

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

interface Outcome {
  latencyMs: number;
  polls: number;
}

async function fixedSchedule(client: ImsClient, jobId: string): Promise<{ job: Job; polls: number }> {
  let polls = 0;
  await new Promise((r) => setTimeout(r, 10_000));
  for (;;) {
    polls++;
    const job = await client.jobs.get(jobId);
    if (job.status === "SUCCESS" || job.status === "FAIL") return { job, polls };
    await new Promise((r) => setTimeout(r, 10_000));
  }
}

async function adaptive(client: ImsClient, jobId: string): Promise<{ job: Job; polls: number }> {
  let polls = 0;
  const job = await waitForJob(
    (id, withProgress) => {
      polls++;
      return withProgress ? client.jobs.progress(id) : client.jobs.get(id);
    },
    jobId,
    { timeoutMs: 300_000 },
  );
  return { job, polls };
}

async function run(name: string, client: ImsClient, count: number, wait: typeof adaptive, metricsUrl: string): Promise<void> {
  await fetch(`${metricsUrl}/_emulator/metrics`, { method: "DELETE" });
  const tokensBefore = tokenRequestCount();
  const started = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: count }, async (_, i): Promise<Outcome> => {
      const { job_id } = await client.images.createFromFile({
        name: `bench-${name.replace(/\W+/g, "-")}-${i}`,
        imageUrl: "images-bucket:ubuntu-24.04.qcow2",
        minDisk: 40,
        osVersion: "Ubuntu 24.04 server 64bit",
      });
      const { job, polls } = await wait(client, job_id);
      const detected = Date.now();
      return { latencyMs: detected - Date.parse(job.end_time ?? ""), polls };
    }),
  );
  const metrics = (await (await fetch(`${metricsUrl}/_emulator/metrics`)).json()) as { requests: number; tokenIssuances: number };
  const latencies = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  const polls = outcomes.map((o) => o.polls);
  console.log(
    `${name.padEnd(34)} latency p50 ${String(quantile(latencies, 0.5)).padStart(5)} ms  p95 ${String(quantile(latencies, 0.95)).padStart(5)} ms` +
      `  polls/job mean ${(polls.reduce((a, b) => a + b, 0) / polls.length).toFixed(1)} max ${Math.max(...polls)}` +
      `  requests ${metrics.requests}  token requests ${tokenRequestCount() - tokensBefore}  wall ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ jobDurationMs: 5000, jobJitter: 0.6 });
  emulator.world.state.imageQuota = 10_000;
  clearAuthCaches();
  const client = new ImsClient({
    endpoint: emulator.url,
    auth: {
      authUrl: `${emulator.url}/v3`,
      region: "ap-southeast-1",
      credentials: { kind: "password", domainName: "ims-emulator", userName: "ims-user", password: "ims-emulator-password" },
    },
  });
  try {
    console.log(`${JOBS} concurrent jobs of 2-8 s (ims-emulator, node ${process.version})`);
    await run("adaptive waiter", client, JOBS, adaptive, emulator.url);
    await run("fixed 10 s delay + 10 s interval", client, JOBS, fixedSchedule, emulator.url);
    emulator.world.timing = { defaultMs: 60_000, perType: {}, jitter: 0 };
    console.log("one job of 60 s");
    await run("adaptive waiter", client, 1, adaptive, emulator.url);
    const fallback = async (c: ImsClient, jobId: string) => {
      let polls = 0;
      const job = await waitForJob(
        (id) => {
          polls++;
          return c.jobs.get(id);
        },
        jobId,
        { timeoutMs: 300_000 },
      );
      return { job, polls };
    };
    await run("geometric fallback (no progress)", client, 1, fallback, emulator.url);
    // Jobs of minutes, as the real service's: an end far away is approached by halves, not read every 10 s.
    emulator.world.timing = { defaultMs: 180_000, perType: {}, jitter: 0.3 };
    console.log("10 concurrent jobs of 2-4 min");
    await run("adaptive waiter", client, 10, adaptive, emulator.url);
  } finally {
    await closeAllPools();
    await emulator.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
