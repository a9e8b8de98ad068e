/**
 * Many images of one project read with a few list requests instead of one request each: the
 * project's own images (`GET /v2/cloudimages?owner=`, pages of up to 500 following `marker`),
 * listed once and kept for a short while, shared by every resource of the process.
 *
 * A listing answers what a read of one image would (list entries are whole image objects, tags
 * included), but only while that is sure to be exact:
 * - the first {@link READS_BY_ID} reads of a project go by id (a few images do not pay for a listing);
 * - it is used for a few seconds after it was taken ({@link LISTING_MAX_AGE_MS}), then taken anew
 *   (a listing that took longer than that to take answers nothing: its first pages are too old);
 * - an image this process changed (any request but a read that names it) is never answered from a
 *   listing again, nor is an image a listing of its project already answered (a second read of one
 *   image in one process comes after a change a listing cannot know of);
 * - an image the listing lacks is not taken as deleted: the caller reads it by id;
 * - a project with more than {@link LISTING_MAX_PAGES} pages of images is not listed: reads by id
 *   cost less there.
 */
import { wasWritten } from "../core/writes";
import type { Image } from "./operations";
import type { ImagesApi } from "./index";

/** How long a listing answers reads after it was taken. */
export const LISTING_MAX_AGE_MS = 3_000;
/** Pages of 500 at most: a larger project is read image by image. */
export const LISTING_MAX_PAGES = 10;
const PAGE = 500;
/** Reads of a project made by id before its images are listed. */
export const READS_BY_ID = 2;

interface Listing {
  takenAt: number;
  /** The project's images by id; undefined when the project has too many to list. */
  images?: Map<string, Image>;
}

interface Slot {
  /** Reads asked of this project so far. */
  reads: number;
  current?: Listing;
  pending?: Promise<Listing>;
  /** Callers that hold the listing (see {@link heldImages}): when the last lets go, it is dropped. */
  holders: number;
  /** Images a listing of this project answered a read for. */
  served: Set<string>;
}

/** Listings by endpoint and project (on globalThis: every copy of this module shares them). */
const LISTINGS = Symbol.for("pulumi-ims.images.listings");
const listings: Map<string, Slot> = ((globalThis as Record<symbol, unknown>)[LISTINGS] as Map<string, Slot>) ??
  ((globalThis as Record<symbol, unknown>)[LISTINGS] = new Map<string, Slot>());

function slotOf(key: string): Slot {
  let slot = listings.get(key);
  if (!slot) listings.set(key, (slot = { reads: 0, holders: 0, served: new Set() }));
  return slot;
}

/** Lists the project's images, up to LISTING_MAX_PAGES pages. */
async function take(images: ImagesApi, owner: string): Promise<Listing> {
  const takenAt = Date.now();
  const byId = new Map<string, Image>();
  let pages = 0;
  for await (const page of images.pages({ owner, limit: PAGE })) {
    if (++pages > LISTING_MAX_PAGES) return { takenAt };
    for (const image of page) byId.set(image.id, image);
  }
  return { takenAt, images: byId };
}

/** A listing of the project no older than `maxAgeMs`: the current one, one being taken, or a new one. */
async function fresh(images: ImagesApi, key: string, owner: string, maxAgeMs: number): Promise<Listing> {
  const slot = slotOf(key);
  if (slot.current && Date.now() - slot.current.takenAt <= maxAgeMs) return slot.current;
  // The listing becomes current before it stops being pending: a caller in between joins it.
  slot.pending ??= take(images, owner)
    .then((listing) => (slot.current = listing))
    .finally(() => (slot.pending = undefined));
  return slot.pending;
}

/**
 * The project's images (undefined when the project is too large to list), from a listing no older
 * than `maxAgeMs` that lives only while someone holds it: callers that overlap in time (the
 * creates of one engine operation) share it, one that comes after all of them let go lists anew.
 * `release` lets go.
 */
export async function heldImages(
  images: ImagesApi,
  key: string,
  owner: string,
  maxAgeMs: number,
): Promise<{ images: ReadonlyMap<string, Image> | undefined; release: () => void }> {
  const held = `${key}#held`;
  const s = slotOf(held);
  s.holders += 1;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    if ((s.holders -= 1) === 0) s.current = undefined;
  };
  try {
    return { images: (await fresh(images, held, owner, maxAgeMs)).images, release };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * The image as a recent listing of its project shows it, when that answer is exact (see above);
 * undefined when the image must be read by id.
 */
export async function listedImage(images: ImagesApi, key: string, owner: string, id: string): Promise<Image | undefined> {
  if (wasWritten(id)) return undefined;
  // The first reads of a project go by id: one or two images are not worth listing a large project for.
  const slot = slotOf(key);
  if (slot.served.has(id) || (slot.reads += 1) <= READS_BY_ID) return undefined;
  const listing = await fresh(images, key, owner, LISTING_MAX_AGE_MS);
  const image = listing.images?.get(id);
  if (!image || Date.now() - listing.takenAt > LISTING_MAX_AGE_MS || slot.served.has(id) || wasWritten(id)) return undefined;
  slot.served.add(id);
  return image;
}

/** Forgets every listing (tests). */
export function resetListings(): void {
  listings.clear();
}
