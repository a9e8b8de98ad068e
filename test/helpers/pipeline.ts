/**
 * What the ImagePipeline end-to-end tests need of ims-emulator: consumer projects in either region
 * (added through the admin API: `GET /_emulator/state`, edited, `PUT /_emulator/world`), image files
 * in its bucket, which images each project can use (shared with it, accepted, active) sampled while
 * a command runs (after each change of its world), and its request count.
 */
import { randomBytes } from "node:crypto";
import type { WorldState } from "../../emulator/domain/model";
import type { TestEmulator } from "./emulator";

/** A project of the emulator's world and its AK/SK pair. */
export interface TestProject {
  name: string;
  region: string;
  id: string;
  access: string;
  secret: string;
}

async function admin<T>(emu: TestEmulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await emu.request<T>(method, path, body === undefined ? {} : { body });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Adds projects to the world, each with an AK/SK pair of the world's user. */
export async function addProjects(emu: TestEmulator, wanted: { name: string; region: string }[]): Promise<TestProject[]> {
  const state = await admin<WorldState>(emu, "GET", "/_emulator/state");
  const [domain] = state.domains;
  const [user] = state.users;
  const added = wanted.map(({ name, region }) => ({
    name,
    region,
    id: randomBytes(16).toString("hex"),
    access: randomBytes(10).toString("hex").toUpperCase(),
    secret: randomBytes(20).toString("base64url").slice(0, 40),
  }));
  for (const p of added) {
    state.projects.push({ id: p.id, name: p.name, region: p.region, domainId: domain.id });
    state.accessKeys.push({ access: p.access, secret: p.secret, userId: user.id, defaultProjectId: p.id });
  }
  await admin(emu, "PUT", "/_emulator/world", state);
  return added;
}

/** A default-world project as a {@link TestProject}. */
export function worldProject(emu: TestEmulator, name: string): TestProject {
  const p = emu.world.state.projects.find((x) => x.name === name)!;
  const key = emu.accessKey(name);
  return { name, region: p.region, id: p.id, access: key.access, secret: key.secret };
}

/** Puts an image file into the emulator's `images-bucket` (in ap-southeast-1). */
export async function putImageFile(emu: TestEmulator, key: string, bytes: Buffer): Promise<void> {
  const res = await emu.request("PUT", `/_emulator/objects/images-bucket/${key}`, { raw: bytes });
  if (res.status !== 201 && res.status !== 200) throw new Error(`putting ${key} answered ${res.status}: ${res.text}`);
}

/** The images a project can use: active, shared with it, and accepted by it. */
export function usableImages(emu: TestEmulator, projectId: string): string[] {
  return emu.world.state.images
    .filter((i) => i.status === "active" && i.members.some((m) => m.memberId === projectId && m.status === "accepted"))
    .map((i) => i.id)
    .sort();
}

/** Each project's usable images, at one moment. */
export type AccessSample = Record<string, string[]>;

/**
 * Runs `work` while sampling the images each project can use (from the emulator's own state, in this
 * process): after every change the emulator reports (it reports every mutation of its world), and every
 * 20 ms besides. Returns `work`'s result with the samples (the last taken after `work` ended).
 */
export async function watchAccess<T>(emu: TestEmulator, projectIds: string[], work: () => Promise<T>): Promise<{ result: T; samples: AccessSample[] }> {
  const samples: AccessSample[] = [];
  const sample = () => samples.push(Object.fromEntries(projectIds.map((id) => [id, usableImages(emu, id)])));
  const world = emu.world;
  const reported = world.onChange;
  world.onChange = () => {
    reported();
    sample();
  };
  sample();
  const timer = setInterval(sample, 20);
  try {
    const result = await work();
    return { result, samples };
  } finally {
    clearInterval(timer);
    world.onChange = reported;
    sample();
  }
}

/** The ims:profiles settings of a project that accepts shares with its own key; its secret goes in the environment. */
export function profileSettings(profile: string, project: TestProject): Record<string, string> {
  return {
    [`ims:profiles.${profile}.accessKey`]: project.access,
    [`ims:profiles.${profile}.projectId`]: project.id,
    [`ims:profiles.${profile}.region`]: project.region,
  };
}

/** The environment variable that carries a profile's secret key. */
export const profileSecretEnv = (profile: string): string => `IMS_PROFILE_${profile.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_SECRET_KEY`;

/** The requests the emulator answered (its admin API's excluded) since the last call, which resets the count. */
export async function requestsSince(emu: TestEmulator): Promise<number> {
  const metrics = await admin<{ routes: { route: string; count: number }[] }>(emu, "GET", "/_emulator/metrics");
  await admin(emu, "DELETE", "/_emulator/metrics");
  return metrics.routes.filter((r) => !r.route.startsWith("/_emulator/")).reduce((n, r) => n + r.count, 0);
}
