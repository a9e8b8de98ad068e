/** Image tags: read, and set by difference (never delete-all-then-add). */
import type { ApiClient } from "../core/client";
import { tagOperations as ops } from "./operations";
import { diffTags, type TagDiff } from "./requests";

export { tagOperations } from "./operations";
export { diffTags, type TagDiff } from "./requests";

export class TagsApi {
  constructor(private readonly api: ApiClient) {}

  async list(imageId: string): Promise<Record<string, string>> {
    const res = await this.api.call(ops.listImageTags, { params: { image_id: imageId } });
    return Object.fromEntries(res.body.tags.map((t) => [t.key, t.value ?? ""]));
  }

  /** Brings the image's tags to `desired` with at most two calls; returns what changed. */
  async set(imageId: string, desired: Record<string, string>, current?: Record<string, string>): Promise<TagDiff> {
    const diff = diffTags(current ?? (await this.list(imageId)), desired);
    if (diff.remove.length) {
      await this.api.call(ops.batchImageTags, { params: { image_id: imageId }, body: { action: "delete", tags: diff.remove } });
    }
    if (diff.create.length) {
      await this.api.call(ops.batchImageTags, { params: { image_id: imageId }, body: { action: "create", tags: diff.create } });
    }
    return diff;
  }

  async projectTags(): Promise<{ key: string; values: string[] }[]> {
    return (await this.api.call(ops.listProjectTags)).body.tags;
  }
}
