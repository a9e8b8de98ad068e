/** Image calls: listing and paging, creation from every source, updates, export, deletion. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { ApiClient } from "../core/client";
import { ImsApiError } from "../core/errors";
import { waitUntil } from "../core/waiter";
import { heldImages, listedImage } from "./listing";
import { imageOperations as ops, type Image } from "./operations";
import {
  dataImageFromFileBody,
  dataImagesFromVolumesBody,
  exportBody,
  fromFileBody,
  fromInstanceBody,
  fromVolumeBody,
  listImagesQuery,
  patchOps,
  quickImportBody,
  wholeImageBody,
  type AttributeChange,
  type DataImageFromFileRequest,
  type DataImagesFromVolumesRequest,
  type ExportRequest,
  type FromFileRequest,
  type FromInstanceRequest,
  type FromVolumeRequest,
  type ListImagesQuery,
  type QuickImportRequest,
  type WholeImageRequest,
} from "./requests";
import type { JobRef } from "../jobs/operations";

export * from "./requests";
export { imageOperations, type Image } from "./operations";
export { resetListings, LISTING_MAX_AGE_MS } from "./listing";

const DEFAULT_PAGE = 500;

export class ImagesApi {
  constructor(private readonly api: ApiClient) {}

  /** One page of `GET /v2/cloudimages`. */
  async list(query: ListImagesQuery = {}): Promise<Image[]> {
    return (await this.api.call(ops.listImages, { query: listImagesQuery(query) })).body.images;
  }

  /** Every page, following `marker` until a page is shorter than the limit. */
  async *pages(query: ListImagesQuery = {}): AsyncGenerator<Image[]> {
    const limit = query.limit ?? DEFAULT_PAGE;
    let marker = query.marker;
    for (;;) {
      const page = await this.list({ ...query, limit, ...(marker ? { marker } : {}) });
      if (page.length > 0) yield page;
      if (page.length < limit) return;
      marker = page[page.length - 1].id;
    }
  }

  async listAll(query: ListImagesQuery = {}): Promise<Image[]> {
    const all: Image[] = [];
    for await (const page of this.pages(query)) all.push(...page);
    return all;
  }

  /** The image, or undefined when it does not exist (or is not visible to the project). */
  async get(id: string): Promise<Image | undefined> {
    const [image] = await this.list({ id });
    return image;
  }

  /**
   * The image as a recent listing of the project's images shows it, when that is exact (see
   * listing.ts); undefined when it must be read by id ({@link get}).
   */
  async listed(id: string): Promise<Image | undefined> {
    const owner = await this.api.projectId();
    return listedImage(this, `${this.api.endpoint}|${owner}`, owner, id);
  }

  /**
   * The project's own images (undefined when the project has too many to list), from a listing no
   * older than `maxAgeMs` shared with the callers that hold it at the same time; `release` when done.
   */
  async projectImages(maxAgeMs: number): Promise<{ images: ReadonlyMap<string, Image> | undefined; release: () => void }> {
    const owner = await this.api.projectId();
    return heldImages(this, `${this.api.endpoint}|${owner}`, owner, maxAgeMs);
  }

  private async job(op: (typeof ops)[keyof typeof ops], body: unknown, params?: Record<string, string>): Promise<JobRef> {
    const res = await this.api.call(op, { body, ...(params ? { params } : {}) });
    return res.body as JobRef;
  }

  createFromInstance(r: FromInstanceRequest): Promise<JobRef> {
    return this.job(ops.createImage, fromInstanceBody(r));
  }

  createFromFile(r: FromFileRequest): Promise<JobRef> {
    return this.job(ops.createImage, fromFileBody(r));
  }

  createFromVolume(r: FromVolumeRequest): Promise<JobRef> {
    return this.job(ops.createImage, fromVolumeBody(r));
  }

  createDataImagesFromVolumes(r: DataImagesFromVolumesRequest): Promise<JobRef> {
    return this.job(ops.createImage, dataImagesFromVolumesBody(r));
  }

  quickImport(r: QuickImportRequest): Promise<JobRef> {
    return this.job(ops.quickImportImage, quickImportBody(r));
  }

  createDataImageFromFile(r: DataImageFromFileRequest): Promise<JobRef> {
    return this.job(ops.createDataImage, dataImageFromFileBody(r));
  }

  createWholeImage(r: WholeImageRequest): Promise<JobRef> {
    return this.job(ops.createWholeImage, wholeImageBody(r));
  }

  /** Registers an OBS file into an image made by `POST /v2/images` (still queued). */
  register(imageId: string, imageUrl: string): Promise<JobRef> {
    return this.job(ops.registerImage, { image_url: imageUrl }, { image_id: imageId });
  }

  export(imageId: string, r: ExportRequest): Promise<JobRef> {
    return this.job(ops.exportImage, exportBody(r), { image_id: imageId });
  }

  /**
   * Changes attributes with one JSON-patch request of `replace` operations. The service refuses
   * `replace` of an attribute that was never set (IMG.0035); then the image is read and such
   * attributes are sent with `add`.
   */
  async update(imageId: string, changes: readonly AttributeChange[]): Promise<Image> {
    if (changes.length === 0) throw new Error("update needs at least one change");
    try {
      return (await this.api.call(ops.updateImage, { params: { image_id: imageId }, body: patchOps(changes, "replace") })).body;
    } catch (error) {
      if (!(error instanceof ImsApiError && error.code === "IMG.0035")) throw error;
    }
    const current = (await this.get(imageId)) as Record<string, unknown> | undefined;
    if (!current) throw new Error(`updateImage: image ${imageId} no longer exists`);
    const body = changes
      .filter((c) => c.value !== undefined || current[c.attribute] !== undefined)
      .flatMap((c) => patchOps([c], current[c.attribute] === undefined || current[c.attribute] === null ? "add" : "replace"));
    if (body.length === 0) return current as Image;
    return (await this.api.call(ops.updateImage, { params: { image_id: imageId }, body })).body;
  }

  /** Deletes the image; an image that is already gone counts as deleted. */
  async delete(imageId: string): Promise<void> {
    try {
      await this.api.call(ops.deleteImage, { params: { image_id: imageId } });
    } catch (error) {
      if (error instanceof ImsApiError && error.status === 404) return;
      throw error;
    }
  }

  /** Deletes the image and waits until the listing no longer shows it. */
  async deleteAndWait(imageId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await this.delete(imageId);
    await waitUntil(`image ${imageId} to be deleted`, async () => ((await this.get(imageId)) ? undefined : true), {
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
  }

  /** `GET /v2/images/{id}` (Glance-compatible): undefined when not found. */
  async glanceGet(imageId: string): Promise<Image | undefined> {
    try {
      return (await this.api.call(ops.glanceGetImage, { params: { image_id: imageId } })).body;
    } catch (error) {
      if (error instanceof ImsApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** `POST /v2/images`: image metadata, queued until a file is uploaded or registered. */
  async glanceCreate(body: { name: string; __os_version?: string; min_disk?: number; min_ram?: number; disk_format?: string; tags?: string[] }): Promise<Image> {
    return (await this.api.call(ops.glanceCreateImage, { body: { container_format: "bare", visibility: "private", ...body } })).body;
  }

  /** `PUT /v2/images/{id}/file` with bytes in memory (AK/SK requests are signed as UNSIGNED-PAYLOAD). */
  async glanceUpload(imageId: string, bytes: Buffer): Promise<void> {
    await this.api.call(ops.glanceUploadFile, { params: { image_id: imageId }, rawBody: bytes, timeoutMs: 30 * 60_000 });
  }

  /**
   * `PUT /v2/images/{id}/file`, streaming a local file; returns the file's MD5 (hex), which the
   * image's `checksum` must equal once it is active (see {@link waitUntilActive}).
   */
  async glanceUploadFile(imageId: string, path: string, onProgress?: (sentBytes: number) => void): Promise<{ md5: string; size: number }> {
    const { size } = await stat(path);
    const hash = createHash("md5");
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    const md5 = hash.digest("hex");
    // Each attempt streams the file anew; the bytes read so far are what was handed to the connection.
    const open = () => {
      const stream = createReadStream(path);
      if (onProgress) {
        let sent = 0;
        stream.on("data", (chunk: string | Buffer) => onProgress((sent += chunk.length)));
      }
      return stream;
    };
    await this.api.call(ops.glanceUploadFile, { params: { image_id: imageId }, stream: { open, length: size }, timeoutMs: 60 * 60_000 });
    return { md5, size };
  }

  /**
   * Waits until the image is active; a `killed` image is an error, and so is a checksum other
   * than `expectedMd5` when one is given.
   */
  async waitUntilActive(imageId: string, options: { timeoutMs: number; expectedMd5?: string; signal?: AbortSignal }): Promise<Image> {
    const image = await waitUntil(`image ${imageId} to become active`, async () => {
      const current = await this.get(imageId);
      if (!current) throw new Error(`image ${imageId} disappeared while waiting for it to become active`);
      if (current.status === "killed") throw new Error(`image ${imageId} ended in status killed: its file could not be imported`);
      return current.status === "active" ? current : undefined;
    }, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
    if (options.expectedMd5 && image.checksum && image.checksum !== options.expectedMd5) {
      throw new Error(`image ${imageId} has checksum ${image.checksum}, but the uploaded file's MD5 is ${options.expectedMd5}: the upload was corrupted`);
    }
    return image;
  }

  async osVersions(tags: string[] = []) {
    return (await this.api.call(ops.listOsVersions, { query: { tag: tags.length ? tags : undefined } })).body;
  }

  async quota() {
    return (await this.api.call(ops.getQuota)).body.quotas.resources;
  }
}
