/**
 * The filters of getImage and getImages, as one table: how each is read, which query parameter of
 * `GET /v2/cloudimages` carries it (Huawei Cloud IMS API reference, "Querying Images"), how an image
 * is tested against it here, and how messages show it. The service narrows the listing with what it
 * can; every filter is then tested here too, so a parameter a region ignores (the reference does not
 * list `__os_version`; `tag` takes one tag) never lets another image through. `nameRegex` and
 * `minSizeBytes` are tested here only.
 */
import type { ListImagesQuery } from "../client/images";
import { ArgsReader, LookupError, readTarget, TARGET_ARGS, type LookupName, type LookupTarget } from "./args";
import { serviceImageType, type ImageInfo } from "./results";

export const IMAGE_TYPES = ["private", "shared", "public", "market"] as const;
export const ARCHITECTURES = ["x86", "arm"] as const;
/** Statuses a listing shows (deleted images are not listed). */
export const STATUSES = ["active", "queued", "saving", "killed"] as const;
export const DISK_FORMATS = ["qcow2", "raw", "vhd", "zvhd", "zvhd2", "iso"] as const;
/** A lookup finds active images unless told otherwise. */
export const DEFAULT_STATUS = "active";

/** One filter: how it is read, sent, tested and shown. */
interface Filter<V> {
  read(reader: ArgsReader, key: string): V | undefined;
  /** The query parameter of `GET /v2/cloudimages` and its value, when the service can apply it. */
  param?(value: V): [string, string];
  test(image: ImageInfo, value: V): boolean;
  show(value: V): string;
}

const quoted = (value: string): string => JSON.stringify(value);

/** A string attribute compared as is, sent as the query parameter `param`. */
function exact(attribute: "name" | "owner" | "osVersion" | "platform", param: string, show: (v: string) => string = quoted): Filter<string> {
  return { read: (r, key) => r.text(key), param: (v) => [param, v], test: (image, v) => image[attribute] === v, show };
}

/** A value of a set, compared with the attribute of the same name. */
function choice<T extends string>(attribute: "imageType" | "architecture" | "status" | "diskFormat", values: readonly T[], param: string, serviceValue = (v: T): string => v, aliases: Record<string, string> = {}): Filter<T> {
  return { read: (r, key) => r.oneOf(key, values, aliases), param: (v) => [param, serviceValue(v)], test: (image, v) => image[attribute] === v, show: (v) => v };
}

const tagText = ([key, value]: [string, string]): string => (value === "" ? key : `${key}=${value}`);

const FILTERS = {
  name: exact("name", "name"),
  nameRegex: { read: (r, key) => r.regex(key), test: (image, re) => re.test(image.name), show: (re) => String(re) } satisfies Filter<RegExp>,
  imageType: choice("imageType", IMAGE_TYPES, "__imagetype", serviceImageType, { gold: "the service's name of public" }),
  owner: exact("owner", "owner", (v) => v),
  osVersion: exact("osVersion", "__os_version"),
  platform: exact("platform", "__platform"),
  architecture: choice("architecture", ARCHITECTURES, "architecture"),
  status: choice("status", STATUSES, "status"),
  tags: {
    read: (r, key) => {
      const tags = r.tags(key);
      return tags.length > 0 ? tags : undefined;
    },
    // The service takes one tag (`tag=key=value`); the others are tested here.
    param: (tags) => ["tag", tagText(tags[0])],
    test: (image, tags) => tags.every(([key, value]) => image.tags[key] === value),
    show: (tags) => `{${tags.map(([k, v]) => `${k}: ${quoted(v)}`).join(", ")}}`,
  } satisfies Filter<[string, string][]>,
  diskFormat: choice("diskFormat", DISK_FORMATS, "disk_format"),
  minSizeBytes: { read: (r, key) => r.count(key), test: (image, min) => image.sizeBytes >= min, show: (min) => `${min}` } satisfies Filter<number>,
};

type Filters = typeof FILTERS;
export type FilterName = keyof Filters;
type FilterValues = { [K in FilterName]?: Filters[K] extends Filter<infer V> ? V : never };

/** The filters that only this side applies. */
const LOCAL_ONLY: readonly FilterName[] = (Object.keys(FILTERS) as FilterName[]).filter((name) => !("param" in FILTERS[name]));

/** A search for images: its filters (status always set), where to look, and whether the newest wins. */
export interface ImageQuery {
  fn: LookupName;
  filters: FilterValues & { status: (typeof STATUSES)[number] };
  /** Whether `status` was given (else it is the default, active). */
  statusGiven: boolean;
  target: LookupTarget;
  mostRecent: boolean;
}

const entries = (filters: FilterValues): [FilterName, unknown][] =>
  (Object.keys(FILTERS) as FilterName[]).filter((name) => filters[name] !== undefined).map((name) => [name, filters[name]]);

/** The arguments of getImage (with `mostRecent`) or getImages, checked: throws a LookupError naming every problem. */
export function readImageQuery(fn: "getImage" | "getImages", raw: unknown): ImageQuery {
  const known = [...Object.keys(FILTERS), ...TARGET_ARGS, ...(fn === "getImage" ? ["mostRecent"] : [])];
  const reader = new ArgsReader(fn, raw, known);
  const filters: FilterValues = {};
  for (const name of Object.keys(FILTERS) as FilterName[]) {
    const value = (FILTERS[name] as Filter<unknown>).read(reader, name);
    if (value !== undefined) (filters as Record<string, unknown>)[name] = value;
  }
  const target = readTarget(reader);
  const mostRecent = fn === "getImage" && reader.boolean("mostRecent");
  reader.done();
  return { fn, filters: { ...filters, status: filters.status ?? DEFAULT_STATUS }, statusGiven: filters.status !== undefined, target, mostRecent };
}

/** The listing request: every filter the service applies, newest first, `limit` images a page. */
export function serviceQuery(query: ImageQuery, limit: number): ListImagesQuery {
  const extra: Record<string, string> = {};
  for (const [name, value] of entries(query.filters)) {
    const filter = FILTERS[name] as Filter<unknown>;
    if (filter.param) {
      const [param, sent] = filter.param(value);
      extra[param] = sent;
    }
  }
  return { limit, sortKey: "created_at", sortDir: "desc", extra };
}

/** Whether an image passes every filter of the query. */
export function matches(image: ImageInfo, query: ImageQuery): boolean {
  return entries(query.filters).every(([name, value]) => (FILTERS[name] as Filter<unknown>).test(image, value));
}

const timeOf = (text: string): number => {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : 0;
};

/** The lookups' order: newest `createdAt` first, then by name, then by id (code-point order). */
export function newestFirst(a: ImageInfo, b: ImageInfo): number {
  const byTime = timeOf(b.createdAt) - timeOf(a.createdAt);
  if (byTime !== 0) return byTime;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Every filter of the query, as given: `name "web", tags {team: "a"}, status active (the default)`. */
export function describeFilters(query: ImageQuery): string {
  return entries(query.filters)
    .map(([name, value]) => `${name} ${(FILTERS[name] as Filter<unknown>).show(value)}${name === "status" && !query.statusGiven ? " (the default)" : ""}`)
    .join(", ");
}

/** Where a search looked: `region ap-southeast-1 (project 0a1b…, profile "analytics")`. */
export interface SearchPlace {
  region: string;
  projectId: string;
  profile?: string;
}

const describePlace = (place: SearchPlace): string =>
  `region ${place.region} (project ${place.projectId}${place.profile !== undefined ? `, profile ${quoted(place.profile)}` : ""})`;

/** How many images {@link severalFound} lists by id and name. */
export const LISTED_IN_MESSAGES = 5;

/**
 * The error of a getImage that found nothing: what was searched and where, how many images the
 * service listed before the filters applied here, and what to check.
 */
export function noneFound(query: ImageQuery, place: SearchPlace, listed: number): LookupError {
  // The service applies one tag; the others, like nameRegex and minSizeBytes, are tested here only.
  const here = [...LOCAL_ONLY.filter((name) => query.filters[name] !== undefined), ...((query.filters.tags?.length ?? 0) > 1 ? ["tags"] : [])];
  const narrowedHere =
    listed === 0
      ? ""
      : ` The service listed ${listed} image${listed === 1 ? "" : "s"} for the filters it applies; none passes ` +
        (here.length > 0 ? `${here.join(" and ")}.` : "all of them here (the region may ignore one of the filters).");
  return new LookupError(
    `${query.fn}: no image matches ${describeFilters(query)} in ${describePlace(place)}.${narrowedHere} ` +
      `Check the values, or widen the search: status is ${DEFAULT_STATUS} unless given (an image still being created is queued or saving), ` +
      "public images are imageType public, and an image shared with this project is found only once the project has accepted it.",
  );
}

/** The error of a getImage that found several images without mostRecent: how many, the first few, and what to do. */
export function severalFound(query: ImageQuery, place: SearchPlace, found: readonly ImageInfo[]): LookupError {
  const shown = found.slice(0, LISTED_IN_MESSAGES).map((image) => `${image.id} ${quoted(image.name)} (created ${image.createdAt || "at an unknown time"})`);
  const more = found.length > LISTED_IN_MESSAGES ? `, and ${found.length - LISTED_IN_MESSAGES} more` : "";
  return new LookupError(
    `${query.fn}: ${found.length} images match ${describeFilters(query)} in ${describePlace(place)}: ${shown.join(", ")}${more}. ` +
      "Set mostRecent: true to take the newest of them, or narrow the search (name, nameRegex, tags, owner, imageType, osVersion…) until one image matches.",
  );
}
