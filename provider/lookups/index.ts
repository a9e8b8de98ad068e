/**
 * The lookup functions: read-only IMS calls made in the program's process (not by the engine's
 * provider process), with the settings the resources use — the program's `ims:` stack configuration
 * and the same environment fallbacks — resolved by the same code (provider/config.ts).
 *
 * - getImage / getImages: `GET /v2/cloudimages` ("Querying Images"), every page (`marker` = the last
 *   id of a full page, until a page is short), then the filters the service cannot apply.
 * - getOsVersions: `GET /v1/cloudimages/os_version` ("Querying the List of OS Versions Supported by IMS").
 * - getQuota: `GET /v1/cloudimages/quota` ("Querying the Image Quota").
 */
import { createHash } from "node:crypto";
import { ImsClient } from "../client";
import { debugEnabled } from "../client/core/debug";
import { describeError } from "../common/errors";
import { resolveTarget, type Target } from "../config";
import { ArgsReader, LookupError, readTarget, TARGET_ARGS, type LookupName, type LookupTarget } from "./args";
import { matches, newestFirst, noneFound, readImageQuery, serviceQuery, severalFound, type ImageQuery, type SearchPlace } from "./filters";
import { imageInfo, imageQuota, osVersionInfos, type ImageInfo } from "./results";

export { LookupError } from "./args";
export { debugEnabled };

/** The stack configuration: `get("ims:region")` and so on (the program's, or a test's). */
export type StackConfig = NonNullable<Parameters<typeof resolveTarget>[2]>;

/** What a lookup runs with besides its arguments. */
export interface LookupContext {
  /** The program's stack configuration. */
  config: StackConfig;
  /** The environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Images a listing page asks for (default the service's 500; tests make pages small to page often). */
  pageSize?: number;
}

/** The service's default and largest page of `GET /v2/cloudimages` ("Querying Images": `limit`). */
export const SERVICE_PAGE = 500;

/** Clients by the settings they were made from, for the life of the program. */
const clients = new Map<string, ImsClient>();

function connect(target: LookupTarget, context: LookupContext): { client: ImsClient; target: Target } {
  const resolved = resolveTarget(target, context.env ?? process.env, context.config);
  const key = createHash("sha256").update(JSON.stringify(resolved.settings)).digest("hex");
  let client = clients.get(key);
  if (client === undefined) {
    client = new ImsClient(resolved.settings);
    clients.set(key, client);
  }
  return { client, target: resolved };
}

/** Runs a lookup; an error of the settings or the service becomes a LookupError naming the function. */
async function lookup<T>(fn: LookupName, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof LookupError) throw error;
    throw new LookupError(`${fn}: ${describeError(error)}`, { cause: error });
  }
}

interface Search {
  query: ImageQuery;
  place: SearchPlace;
  /** How many images the service listed (before the filters applied here). */
  listed: number;
  /** The images that pass every filter, newest first. */
  found: ImageInfo[];
}

async function search(query: ImageQuery, context: LookupContext): Promise<Search> {
  const { client, target } = connect(query.target, context);
  const place: SearchPlace = { region: target.region, projectId: await client.projectId(), ...(query.target.profile !== undefined ? { profile: query.target.profile } : {}) };
  const listed = new Map<string, ImageInfo>();
  for await (const page of client.images.pages(serviceQuery(query, context.pageSize ?? SERVICE_PAGE))) {
    for (const image of page) listed.set(image.id, imageInfo(image, target.region));
  }
  const found = [...listed.values()].filter((image) => matches(image, query)).sort(newestFirst);
  return { query, place, listed: listed.size, found };
}

/**
 * The one image that matches the filters of `args` (status active unless given), or with
 * `mostRecent` the newest of those that match. None, or several without `mostRecent`, is a
 * LookupError saying what was searched, how many matched, and what to do.
 */
export function getImage(args: unknown, context: LookupContext): Promise<ImageInfo> {
  return lookup("getImage", async () => {
    const { query, place, listed, found } = await search(readImageQuery("getImage", args), context);
    if (found.length === 0) throw noneFound(query, place, listed);
    if (found.length > 1 && !query.mostRecent) throw severalFound(query, place, found);
    return found[0];
  });
}

/** Every image that matches the filters of `args`, newest first (then by name), every page read. */
export function getImages(args: unknown, context: LookupContext) {
  return lookup("getImages", async () => {
    const { place, found } = await search(readImageQuery("getImages", args), context);
    return { region: place.region, projectId: place.projectId, images: found, ids: found.map((image) => image.id) };
  });
}

/** The OS tags of `GET /v1/cloudimages/os_version` ("Querying the List of OS Versions Supported by IMS"). */
export const OS_TAGS = ["bms", "uefi", "arm", "x86"] as const;

/** The OS versions the region supports, those carrying every tag of `args.tags` when given. */
export function getOsVersions(args: unknown, context: LookupContext) {
  return lookup("getOsVersions", async () => {
    const reader = new ArgsReader("getOsVersions", args, ["tags", ...TARGET_ARGS]);
    const tags = reader.listOf("tags", OS_TAGS);
    const where = readTarget(reader);
    reader.done();
    const { client, target } = connect(where, context);
    return { region: target.region, osVersions: osVersionInfos(await client.images.osVersions(tags)) };
  });
}

/** The private-image quota of the project: images it holds (`used`), its limit, and the range of the limit. */
export function getQuota(args: unknown, context: LookupContext) {
  return lookup("getQuota", async () => {
    const reader = new ArgsReader("getQuota", args, TARGET_ARGS);
    const where = readTarget(reader);
    reader.done();
    const { client, target } = connect(where, context);
    const quota = imageQuota(await client.images.quota());
    if (quota === undefined) throw new LookupError(`getQuota: the service's answer in ${target.region} holds no quota of type image.`);
    return { region: target.region, projectId: await client.projectId(), ...quota };
  });
}
