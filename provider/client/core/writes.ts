/**
 * What this process has sent that changes an image or starts a job: the images it changed (a
 * listing taken earlier no longer tells their state) and the jobs it submitted (their wait starts
 * at submission, see the waiter). Kept on globalThis, so that every copy of this module in the
 * process shares them.
 */
import { noteSubmitted } from "./waiter";

const WRITTEN = Symbol.for("pulumi-ims.client.written-images");
const written: Set<string> = ((globalThis as Record<symbol, unknown>)[WRITTEN] as Set<string>) ??
  ((globalThis as Record<symbol, unknown>)[WRITTEN] = new Set<string>());

/** Whether this process sent anything that changes the image (an update, tags, members, a deletion…). */
export const wasWritten = (imageId: string): boolean => written.has(imageId);

/** The image ids a request names: its `image_id` path parameter, and the `images` of a batch body. */
function namedImages(params: Record<string, string> | undefined, body: unknown): string[] {
  const ids = params?.image_id ? [params.image_id] : [];
  const images = (body as { images?: unknown } | undefined)?.images;
  if (Array.isArray(images)) for (const id of images) if (typeof id === "string") ids.push(id);
  return ids;
}

/**
 * Notes a request that is about to be sent: any method but GET and HEAD marks the images it
 * names as written (before sending, since an unanswered request may have changed them too).
 */
export function noteRequest(method: string, params: Record<string, string> | undefined, body: unknown): void {
  if (method === "GET" || method === "HEAD") return;
  for (const id of namedImages(params, body)) written.add(id);
}

/** Notes an answer: a job id it carries was submitted by `operation` now. */
export function noteAnswer(operation: string, method: string, body: unknown): void {
  if (method === "GET" || method === "HEAD") return;
  const jobId = (body as { job_id?: unknown } | undefined)?.job_id;
  if (typeof jobId === "string" && jobId !== "") noteSubmitted(jobId, operation);
}

/** Forgets every noted write (tests). */
export function resetWrites(): void {
  written.clear();
}
