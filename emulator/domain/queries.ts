/**
 * Listing images: `GET /v2/cloudimages` (extension) and `GET /v2/images` (Glance-compatible),
 * with their filters, sorting and marker pagination (IMS API Reference: Querying Images, and its
 * native OpenStack counterpart).
 */
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
  /** The id after which the next page starts, when more images match. */
  nextMarker?: string;
}

/** Which images the caller may list, in its region, before filters. */
function candidates(world: World, caller: Caller, query: Query): Image[] {
  const me = caller.project.id;
  const memberStatus = query.get("member_status");
  if (memberStatus !== null && !(MEMBER_STATUSES as readonly string[]).includes(memberStatus)) {
    throw img("0001", "member_status must be accepted, rejected or pending.");
  }
  return world.state.images.filter((image) => {
    if (image.region !== caller.project.region || image.status === "deleted") return false;
    if (image.imagetype === "gold") return memberStatus === null;
    if (image.owner === me) return memberStatus === null;
    const member = image.members.find((m) => m.memberId === me || m.memberId === caller.project.domainId);
    if (!member) return false;
    if (memberStatus !== null) return member.status === memberStatus;
    return member.status === "accepted";
  });
}

/** Images matching the query, sorted and paged. */
export function listImages(world: World, caller: Caller, query: Query, opts: { native: boolean }): ListResult {
  const imagetype = query.get("__imagetype");
  if (imagetype !== null && !(IMAGE_TYPES as readonly string[]).includes(imagetype)) throw img("0024");
  const sortKey = query.get("sort_key") ?? "created_at";
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

  // Cheap filters on the stored record first: rendering every image for each request is slow.
  const raw: [string, (image: Image) => string][] = [
    ["id", (i) => i.id],
    ["name", (i) => i.name],
    ["status", (i) => i.status],
    ["owner", (i) => i.owner],
  ];
  const rows = candidates(world, caller, query)
    .filter((image) => raw.every(([key, get]) => query.get(key) === null || get(image) === query.get(key)))
    .map((image) => ({ image, view: imageView(image, caller.project.id) }))
    .filter(({ image, view }) => {
      if (imagetype !== null && view.__imagetype !== imagetype) return false;
      if (view.__isregistered !== registered) return false;
      if (visibility !== null && view.visibility !== visibility) return false;
      if (protectedFilter !== null && String(view.protected) !== protectedFilter) return false;
      if (minRam !== undefined && image.minRam !== minRam) return false;
      if (minDisk !== undefined && image.minDisk !== minDisk) return false;
      if (architecture !== null && (view.__support_arm === "true") !== (architecture === "arm")) return false;
      // Public images belong to no enterprise project: an enterprise_project_id filter leaves them out.
      if (epsId !== null && (view.enterprise_project_id === undefined || (epsId !== ALL_GRANTED_EPS && view.enterprise_project_id !== epsId))) return false;
      if (tag !== null && !image.tags.some((t) => `${t.key}=${t.value}` === tag || (t.value === "" && t.key === tag))) return false;
      if (created && !created(image.createdAt)) return false;
      if (updated && !updated(image.updatedAt)) return false;
      for (const key of EQUALITY_FILTERS) {
        const wanted = query.get(key);
        if (wanted !== null && String(view[key] ?? "") !== wanted) return false;
      }
      return true;
    });

  const sortValue = (image: Image): string | number => {
    switch (sortKey) {
      case "created_at":
        return image.createdAt;
      case "size":
        return image.size;
      case "name":
        return image.name;
      case "container_format":
        return image.containerFormat;
      case "disk_format":
        return image.diskFormat;
      case "status":
        return image.status;
      default:
        return image.id;
    }
  };
  rows.sort((a, b) => {
    const x = sortValue(a.image);
    const y = sortValue(b.image);
    const order = x < y ? -1 : x > y ? 1 : a.image.id < b.image.id ? -1 : a.image.id > b.image.id ? 1 : 0;
    return sortDir === "asc" ? order : -order;
  });

  let start = 0;
  const marker = query.get("marker");
  if (marker !== null) {
    const at = rows.findIndex((r) => r.image.id === marker);
    if (at < 0) throw img("0001", `The marker ${marker} is not an image of this listing.`);
    start = at + 1;
  }
  const page = rows.slice(start, start + limit);
  const more = start + limit < rows.length;
  return {
    images: page.map((r) => r.view),
    ...(more && page.length > 0 ? { nextMarker: page[page.length - 1].image.id } : {}),
  };
}
