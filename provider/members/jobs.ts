/**
 * Member jobs of one provider process. Adding or removing members is asynchronous (a job per
 * request, Huawei Cloud IMS API reference "Adding Image Members" / "Deleting Image Members"), and a
 * request takes many projects: the changes to one image that arrive together (the engine creates
 * many ImageMembers of one image at once) are sent as one request, and the jobs of one image run
 * one after another, so that many members of one image neither flood the API nor race each other.
 */
import { ImsApiError, ImsJobFailedError, ImsOutcomeUnknownError, type ImsClient } from "../client";
import { describeError } from "../common/errors";

/** How long a batch waits for more changes of the same image before it is sent. */
const WINDOW_MS = 100;
/** Projects per request (an image takes at most 256 members). */
const MAX_BATCH = 100;

export type MemberChange = "add" | "remove";

interface Waiter {
  projectId: string;
  timeoutMs: number;
  resolve(): void;
  reject(error: unknown): void;
}

interface Batch {
  change: MemberChange;
  imageId: string;
  waiters: Waiter[];
  timer?: NodeJS.Timeout;
}

interface ClientQueues {
  /** Batches still collecting, by change and image. */
  open: Map<string, Batch>;
  /** The last job of each image: the next one starts after it. */
  chains: Map<string, Promise<void>>;
}

const queues = new WeakMap<ImsClient, ClientQueues>();

function queuesOf(client: ImsClient): ClientQueues {
  let q = queues.get(client);
  if (!q) {
    q = { open: new Map(), chains: new Map() };
    queues.set(client, q);
  }
  return q;
}

/**
 * Adds `projectId` as a member of `imageId` (or removes it), together with the other changes of
 * the same image that arrive within a short window; resolves once the job ended and the change
 * holds. An add of a project that is already a member, or a removal of one that is not, succeeds.
 */
export function changeMember(client: ImsClient, change: MemberChange, imageId: string, projectId: string, timeoutMs: number): Promise<void> {
  const q = queuesOf(client);
  const key = `${change}\u0000${imageId}`;
  return new Promise<void>((resolve, reject) => {
    let batch = q.open.get(key);
    if (!batch) {
      const fresh: Batch = { change, imageId, waiters: [] };
      fresh.timer = setTimeout(() => close(q, key, fresh, client), WINDOW_MS);
      q.open.set(key, fresh);
      batch = fresh;
    }
    batch.waiters.push({ projectId, timeoutMs, resolve, reject });
    if (batch.waiters.length >= MAX_BATCH) {
      clearTimeout(batch.timer);
      close(q, key, batch, client);
    }
  });
}

/** Stops collecting a batch and queues it behind the image's previous job. */
function close(q: ClientQueues, key: string, batch: Batch, client: ImsClient): void {
  if (q.open.get(key) === batch) q.open.delete(key);
  const previous = q.chains.get(batch.imageId) ?? Promise.resolve();
  const next = previous.then(() => run(client, batch));
  const tail = next.catch(() => undefined);
  q.chains.set(batch.imageId, tail);
  void tail.then(() => {
    if (q.chains.get(batch.imageId) === tail) q.chains.delete(batch.imageId);
  });
}

async function run(client: ImsClient, batch: Batch): Promise<void> {
  const projects = [...new Set(batch.waiters.map((w) => w.projectId))];
  try {
    await send(client, batch, projects);
    for (const w of batch.waiters) w.resolve();
  } catch (error) {
    if (error instanceof ImsApiError && error.status >= 400 && error.status < 500 && projects.length > 1) {
      // The service refused the whole request: one member is at fault, so that each gets its own answer.
      for (const project of projects) {
        const mine = batch.waiters.filter((w) => w.projectId === project);
        try {
          await send(client, { ...batch, waiters: mine }, [project]);
          for (const w of mine) w.resolve();
        } catch (own) {
          for (const w of mine) w.reject(own);
        }
      }
      return;
    }
    for (const w of batch.waiters) w.reject(error);
  }
}

/** One request for `projects` and its job; a job that failed still counts where the change holds. */
async function send(client: ImsClient, batch: Batch, projects: string[]): Promise<void> {
  const timeoutMs = Math.max(...batch.waiters.map((w) => w.timeoutMs));
  const submit = () => (batch.change === "add" ? client.members.add([batch.imageId], projects) : client.members.remove([batch.imageId], projects));
  let job;
  try {
    job = await submit();
  } catch (error) {
    // An add whose answer was lost is sent again: a project that is already a member stays one member.
    if (!(error instanceof ImsOutcomeUnknownError)) throw error;
    job = await submit();
  }
  try {
    await client.jobs.wait(job.job_id, { timeoutMs });
  } catch (error) {
    if (!(error instanceof ImsJobFailedError)) throw error;
    const holds = await Promise.all(projects.map(async (p) => ((await client.members.get(batch.imageId, p)) !== undefined) === (batch.change === "add")));
    if (!holds.every(Boolean)) throw new Error(describeError(error), { cause: error });
  }
}
