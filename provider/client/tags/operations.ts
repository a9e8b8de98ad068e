/** Image tags (Huawei Cloud IMS API reference, "Image Tags" chapter: ims_03_0090-style pages). */
import { z } from "zod";
import { op, type OperationSpec } from "../core/client";

const TagListSchema = z.looseObject({ tags: z.array(z.looseObject({ key: z.string(), value: z.string().nullish() })) });

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
