/**
 * Listing images: `GET /v2/cloudimages` (extension) and `GET /v2/images` (Glance-compatible),
 * with their filters, sorting and marker pagination (IMS API Reference: Querying Images, and its
 * native OpenStack counterpart).
 */
import { visibleImage } from "./access";
import { ALL_GRANTED_EPS } from "./enterprise-projects";
import { img } from "./errors";
import type { Image } from "./model";
import { imageView, SUPPORT_ATTRIBUTES, type ImageView } from "./views";
import type { Caller, World } from "./world";

export type Query = URLSearchParams;

const SORT_KEYS = ["created_at", "name", "container_format", "disk_format", "status", "id", "size"] as const;
const IMAGE_TYPES = ["gold", "private", "shared", "market"] as const;
const MEMBER_STATUSES = ["accepted", "rejected", "pending"] as const;

/** Filters compared with the rendered attribute of the same name. */
const EQUALITY_FILTERS = [
  "id",
  "name",
  "status",
  "owner",
  "container_format",
  "disk_format",
  "__os_bit",
  "__platform",
  "__os_type",
  "__os_version",
  "virtual_env_type",
  "__whole_image",
  "__system__cmkid",
  ...SUPPORT_ATTRIBUTES,
];

/** Filters compared with a field of the stored record, before any rendering. */
const RAW_FILTERS: [string, (image: Image) => string][] = [
  ["id", (i) => i.id],
  ["name", (i) => i.name],
  ["status", (i) => i.status],
  ["owner", (i) => i.owner],
];

const TIME_OPS: Record<string, (a: number, b: number) => boolean> = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  eq: (a, b) => a === b,
  neq: (a, b) => a !== b,
};

function timeFilter(value: string, key: string): (ms: number) => boolean {
  const m = /^(gt|gte|lt|lte|eq|neq):(.+)$/.exec(value);
  const time = m ? Date.parse(m[2].includes("T") ? m[2] : m[2].replace(" ", "T") + "Z") : NaN;
  if (!m || Number.isNaN(time)) throw img("0001", `The ${key} filter must look like gt:2026-01-01T00:00:00Z.`);
  const compare = TIME_OPS[m[1]];
  // Image times have second precision.
  return (ms) => compare(Math.floor(ms / 1000) * 1000, time);
}

function intParam(query: Query, key: string, min: number, max: number): number | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw img("0001", `${key} must be an integer from ${min} to ${max}.`);
  return Number(raw);
}

export interface ListResult {
  images: ImageView[];
  /** The id after which the next page starts, when more images match (asked with `opts.more`). */
  nextMarker?: string;
}

/**
 * Whether the caller may list `image` (its region, not deleted): public images and its own unless
 * `member_status` asks for shares, images shared with it once accepted, or in the asked member status.
 */
function listable(image: Image, caller: Caller, memberStatus: string | null): boolean {
  if (image.region !== caller.project.region || image.status === "deleted") return false;
  if (image.imagetype === "gold" || image.owner === caller.project.id) return memberStatus === null;
  const member = image.members.find((m) => m.memberId === caller.project.id || m.memberId === caller.project.domainId);
  if (!member) return false;
  return member.status === (memberStatus ?? "accepted");
}

type SortKey = (typeof SORT_KEYS)[number];

/** The value each sort key sorts by. */
const SORT_VALUES: Record<SortKey, (image: Image) => string | number> = {
  created_at: (i) => i.createdAt,
  size: (i) => i.size,
  name: (i) => i.name,
  container_format: (i) => i.containerFormat,
  disk_format: (i) => i.diskFormat,
  status: (i) => i.status,
  id: (i) => i.id,
};

/**
 * The order of a listing, ascending: by the sort key, then by creation time, then by id, as Glance
 * (which the service's listings follow) sorts its pages (`sort_dir` turns all three around).
 */
function ascending(sortKey: SortKey): (a: Image, b: Image) => number {
  const value = SORT_VALUES[sortKey];
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x !== y) return x < y ? -1 : 1;
    if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

/** Candidate sets up to this size are sorted for each request; larger ones come from a sorted copy kept until the world changes. */
const SORT_PER_REQUEST = 2000;
const CACHED_ORDERS = 8;

interface SortedImages {
  version: number;
  images: Image[];
}

const sortedCopies = new WeakMap<World, Map<string, SortedImages>>();

/** `source` (the images of one owner, or all) in ascending order of `sortKey`, sorted again only after the world changed. */
function sortedSource(world: World, sourceKey: string, source: Iterable<Image>, sortKey: SortKey): Image[] {
  let copies = sortedCopies.get(world);
  if (!copies) sortedCopies.set(world, (copies = new Map()));
  const key = `${sourceKey}\n${sortKey}`;
  const version = world.version;
  const found = copies.get(key);
  if (found?.version === version) return found.images;
  // Created images are added in creation order: sorting by creation time is then nearly linear.
  const images = [...source].sort(ascending(sortKey));
  copies.delete(key);
  copies.set(key, { version, images });
  if (copies.size > CACHED_ORDERS) copies.delete(copies.keys().next().value!);
  return images;
}

/** The first index of `images` at which `after` holds (it holds from some index on: `images` is sorted). */
function firstWhere(images: Image[], after: (image: Image) => boolean): number {
  let [lo, hi] = [0, images.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (after(images[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Images matching the query, sorted and paged. A page starts after the marker's place in the
 * order: the marker is any image the caller can see, as Glance looks it up (by id, whether or not it
 * matches the filters); one it cannot see is refused.
 */
export function listImages(world: World, caller: Caller, query: Query, opts: { native: boolean; more?: boolean }): ListResult {
  const imagetype = query.get("__imagetype");
  if (imagetype !== null && !(IMAGE_TYPES as readonly string[]).includes(imagetype)) throw img("0024");
  const sortKey = (query.get("sort_key") ?? "created_at") as SortKey;
  if (!(SORT_KEYS as readonly string[]).includes(sortKey)) throw img("0001", `sort_key must be one of ${SORT_KEYS.join(", ")}.`);
  const sortDir = query.get("sort_dir") ?? "desc";
  if (sortDir !== "asc" && sortDir !== "desc") throw img("0001", "sort_dir must be asc or desc.");
  const limit = intParam(query, "limit", 1, 1000) ?? (opts.native ? 25 : 500);
  const minRam = intParam(query, "min_ram", 0, 1_048_576);
  const minDisk = intParam(query, "min_disk", 0, 65_536);
  const visibility = query.get("visibility");
  if (visibility !== null && !["public", "private", "shared"].includes(visibility)) throw img("0001", "visibility must be public, private or shared.");
  const protectedFilter = query.get("protected");
  if (protectedFilter !== null && protectedFilter !== "true" && protectedFilter !== "false") throw img("0001", "protected must be true or false.");
  const registered = query.get("__isregistered") ?? "true";
  const architecture = query.get("architecture");
  if (architecture !== null && architecture !== "x86" && architecture !== "arm") throw img("0212");
  const epsId = query.get("enterprise_project_id");
  const tag = query.get("tag");
  const created = query.get("created_at") !== null ? timeFilter(query.get("created_at")!, "created_at") : undefined;
  const updated = query.get("updated_at") !== null ? timeFilter(query.get("updated_at")!, "updated_at") : undefined;
  const memberStatus = query.get("member_status");
  if (memberStatus !== null && !(MEMBER_STATUSES as readonly string[]).includes(memberStatus)) {
    throw img("0001", "member_status must be accepted, rejected or pending.");
  }
  const marker = query.get("marker");
  const markerImage = marker !== null ? visibleImage(world, caller, marker) : undefined;
  if (marker !== null && !markerImage) throw img("0001", `The marker ${marker} is not an image this project can see.`);

  // Cheap filters on the stored record first: rendering an image is what costs.
  const raw = RAW_FILTERS.map(([key, get]) => [query.get(key), get] as const).filter(([wanted]) => wanted !== null);
  const rawMatch = (image: Image): boolean => {
    if (!listable(image, caller, memberStatus)) return false;
    if (!raw.every(([wanted, get]) => get(image) === wanted)) return false;
    if (minRam !== undefined && image.minRam !== minRam) return false;
    if (minDisk !== undefined && image.minDisk !== minDisk) return false;
    if (tag !== null && !image.tags.some((t) => `${t.key}=${t.value}` === tag || (t.value === "" && t.key === tag))) return false;
    if (created && !created(image.createdAt)) return false;
    if (updated && !updated(image.updatedAt)) return false;
    return true;
  };
  const viewMatch = (view: ImageView): boolean => {
    if (imagetype !== null && view.__imagetype !== imagetype) return false;
    if (view.__isregistered !== registered) return false;
    if (visibility !== null && view.visibility !== visibility) return false;
    if (protectedFilter !== null && String(view.protected) !== protectedFilter) return false;
    if (architecture !== null && (view.__support_arm === "true") !== (architecture === "arm")) return false;
    // Public images belong to no enterprise project: an enterprise_project_id filter leaves them out.
    if (epsId !== null && (view.enterprise_project_id === undefined || (epsId !== ALL_GRANTED_EPS && view.enterprise_project_id !== epsId))) return false;
    for (const key of EQUALITY_FILTERS) {
      const wanted = query.get(key);
      if (wanted !== null && String(view[key] ?? "") !== wanted) return false;
    }
    return true;
  };

  // Where to look: the one image of an id, the images of an owner, or all of them.
  const id = query.get("id");
  const owner = query.get("owner");
  const one = id !== null ? world.image(id) : undefined;
  const source: Iterable<Image> & { size?: number; length?: number } =
    id !== null ? (one ? [one] : []) : owner !== null ? world.imagesOwnedBy(owner) : world.state.images;
  const sourceSize = source.size ?? source.length ?? 0;
  const compare = ascending(sortKey);
  const desc = sortDir === "desc";
  const order = sourceSize > SORT_PER_REQUEST ? sortedSource(world, id !== null ? `id:${id}` : `owner:${owner ?? "*"}`, source, sortKey) : [...source].filter(rawMatch).sort(compare);

  // Walk the order from the marker's place, in the asked direction.
  const step = desc ? -1 : 1;
  let i = desc ? order.length - 1 : 0;
  if (markerImage) i = desc ? firstWhere(order, (x) => compare(x, markerImage) >= 0) - 1 : firstWhere(order, (x) => compare(x, markerImage) > 0);
  const page: ImageView[] = [];
  let more = false;
  for (; i >= 0 && i < order.length; i += step) {
    const image = order[i];
    if (!rawMatch(image)) continue;
    const view = imageView(image, caller.project.id);
    if (!viewMatch(view)) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(view);
    if (page.length === limit && !opts.more) break;
  }
  return { images: page, ...(more ? { nextMarker: page[page.length - 1].id as string } : {}) };
}
