/**
 * The state file: the whole world as JSON, written atomically (temporary file, then rename) after
 * every request that changed it, and read back at start.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Agency, Domain, EnterpriseProject, Image, Project, WorldState } from "./domain/model";
import { DEFAULT_WORLD } from "./domain/world";

export function loadWorldFile(path: string): WorldState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path} is not a readable JSON world file: ${(e as Error).message}`, { cause: e });
  }
  return checkWorld(parsed, path);
}

export function checkWorld(value: unknown, source: string): WorldState {
  const w = value as Partial<WorldState> | null;
  if (!w || typeof w !== "object" || w.format !== "ims-emulator-world/1") {
    throw new Error(`${source} is not an ims-emulator world (expected "format": "ims-emulator-world/1")`);
  }
  const lists = ["regions", "domains", "projects", "users", "accessKeys", "servers", "volumes", "backups", "buckets", "objects", "images", "jobs"] as const;
  for (const key of lists) {
    if (!Array.isArray(w[key])) throw new Error(`${source}: "${key}" must be an array`);
  }
  if (typeof w.tokenKey !== "string" || w.tokenKey.length < 16) throw new Error(`${source}: "tokenKey" must be a string of 16 characters or more`);
  if (!Number.isInteger(w.imageQuota) || (w.imageQuota as number) < 0) throw new Error(`${source}: "imageQuota" must be a non-negative integer`);
  return {
    ...w,
    agencies: checkAgencies(w.agencies, w.domains as Domain[], source),
    enterpriseProjects: checkEnterpriseProjects(w.enterpriseProjects, w.images as Image[], w.projects as Project[], source),
  } as WorldState;
}

/**
 * The enterprise projects of a world. Worlds saved before they existed have none but the default
 * one; an enterprise project their images already name becomes one of the image owner's account,
 * so those images keep it and can still be moved.
 */
function checkEnterpriseProjects(enterpriseProjects: unknown, images: Image[], projects: Project[], source: string): EnterpriseProject[] {
  if (enterpriseProjects === undefined) {
    const found = new Map<string, EnterpriseProject>();
    for (const image of images) {
      const id = image.properties?.enterprise_project_id;
      const domainId = projects.find((p) => p.id === image.owner)?.domainId;
      if (id === undefined || id === "0" || domainId === undefined) continue;
      found.set(`${domainId}/${id}`, { id, name: `ep-${id}`.slice(0, 64), domainId });
    }
    return [...found.values()];
  }
  const valid = (e: unknown): boolean =>
    e !== null &&
    typeof e === "object" &&
    ["id", "name", "domainId"].every((k) => typeof (e as Record<string, unknown>)[k] === "string");
  if (!Array.isArray(enterpriseProjects) || !enterpriseProjects.every(valid)) {
    throw new Error(`${source}: "enterpriseProjects" must be an array of { "id", "name", "domainId" }`);
  }
  return enterpriseProjects as EnterpriseProject[];
}

/**
 * The IAM agencies of a world. Worlds saved before agencies existed have none: each of their
 * accounts gets the default agency, so the cross-region copies they could make still work.
 */
function checkAgencies(agencies: unknown, domains: Domain[], source: string): Agency[] {
  if (agencies === undefined) return domains.map((d) => ({ domainId: d.id, name: DEFAULT_WORLD.agency }));
  const valid = (a: unknown): boolean =>
    a !== null && typeof a === "object" && typeof (a as Agency).domainId === "string" && typeof (a as Agency).name === "string";
  if (!Array.isArray(agencies) || !agencies.every(valid)) throw new Error(`${source}: "agencies" must be an array of { "domainId", "name" }`);
  return agencies as Agency[];
}

export function existingState(path: string | undefined): WorldState | undefined {
  return path && existsSync(path) ? loadWorldFile(path) : undefined;
}

export function saveWorldFile(path: string, state: WorldState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}
