/** Image tags (reference §3.16): read, and set by difference (never delete-all-then-add). */
import { z } from "zod";
import type { ApiClient, OperationSpec } from "../core/client";
import type { ImageTag } from "../images/requests";

const TagListSchema = z.looseObject({ tags: z.array(z.looseObject({ key: z.string(), value: z.string().nullish() })) });

const op = <Out>(spec: OperationSpec<Out>): OperationSpec<Out> => spec;

export const tagOperations = {
  listImageTags: op({ name: "listImageTags", method: "GET", path: "/v2/{project_id}/images/{image_id}/tags", expect: [200], idempotent: true, response: TagListSchema }),
  batchImageTags: op({ name: "batchImageTags", method: "POST", path: "/v2/{project_id}/images/{image_id}/tags/action", expect: [204], idempotent: true }),
  addImageTag: op({ name: "addImageTag", method: "POST", path: "/v2/{project_id}/images/{image_id}/tags", expect: [204], idempotent: true }),
  deleteImageTag: op({ name: "deleteImageTag", method: "DELETE", path: "/v2/{project_id}/images/{image_id}/tags/{key}", expect: [204, 404], idempotent: true }),
  listProjectTags: op({
    name: "listProjectTags",
    method: "GET",
    path: "/v2/{project_id}/images/tags",
    expect: [200],
    idempotent: true,
    response: z.looseObject({ tags: z.array(z.looseObject({ key: z.string(), values: z.array(z.string()) })) }),
  }),
} satisfies Record<string, OperationSpec<unknown>>;

export interface TagDiff {
  create: ImageTag[];
  remove: ImageTag[];
}

/** What to send to go from `current` to `desired`: changed values are overwritten by create. */
export function diffTags(current: Record<string, string>, desired: Record<string, string>): TagDiff {
  const create = Object.entries(desired)
    .filter(([k, v]) => current[k] !== v)
    .map(([key, value]) => ({ key, value }));
  const remove = Object.entries(current)
    .filter(([k]) => !(k in desired))
    .map(([key, value]) => ({ key, value }));
  return { create, remove };
}

export class TagsApi {
  constructor(private readonly api: ApiClient) {}

  async list(imageId: string): Promise<Record<string, string>> {
    const res = await this.api.call(tagOperations.listImageTags, { params: { image_id: imageId } });
    return Object.fromEntries(res.body.tags.map((t) => [t.key, t.value ?? ""]));
  }

  /** Brings the image's tags to `desired` with at most two calls; returns what changed. */
  async set(imageId: string, desired: Record<string, string>, current?: Record<string, string>): Promise<TagDiff> {
    const diff = diffTags(current ?? (await this.list(imageId)), desired);
    if (diff.remove.length) {
      await this.api.call(tagOperations.batchImageTags, { params: { image_id: imageId }, body: { action: "delete", tags: diff.remove } });
    }
    if (diff.create.length) {
      await this.api.call(tagOperations.batchImageTags, { params: { image_id: imageId }, body: { action: "create", tags: diff.create } });
    }
    return diff;
  }

  async projectTags(): Promise<{ key: string; values: string[] }[]> {
    return (await this.api.call(tagOperations.listProjectTags)).body.tags;
  }
}
