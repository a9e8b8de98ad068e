/** Where the image calls go (reference §2, §3, §4): method, path, statuses, repeatability, answer. */
import { z } from "zod";
import type { OperationSpec } from "../core/client";
import { GlanceImageListSchema, ImageListSchema, ImageSchema, JobRefSchema } from "./schemas";

const op = <Out>(spec: OperationSpec<Out>): OperationSpec<Out> => spec;

export const imageOperations = {
  listImages: op({ name: "listImages", method: "GET", path: "/v2/cloudimages", expect: [200], idempotent: true, response: ImageListSchema }),
  updateImage: op({ name: "updateImage", method: "PATCH", path: "/v2/cloudimages/{image_id}", expect: [200], idempotent: true, response: ImageSchema }),
  createImage: op({ name: "createImage", method: "POST", path: "/v2/cloudimages/action", expect: [200], idempotent: false, response: JobRefSchema }),
  quickImportImage: op({ name: "quickImportImage", method: "POST", path: "/v2/cloudimages/quickimport/action", expect: [200], idempotent: false, response: JobRefSchema }),
  createDataImage: op({ name: "createDataImage", method: "POST", path: "/v1/cloudimages/dataimages/action", expect: [200], idempotent: false, response: JobRefSchema }),
  createWholeImage: op({ name: "createWholeImage", method: "POST", path: "/v1/cloudimages/wholeimages/action", expect: [200], idempotent: false, response: JobRefSchema }),
  registerImage: op({ name: "registerImage", method: "PUT", path: "/v1/cloudimages/{image_id}/upload", expect: [200], idempotent: false, response: JobRefSchema }),
  exportImage: op({ name: "exportImage", method: "POST", path: "/v1/cloudimages/{image_id}/file", expect: [200], idempotent: false, response: JobRefSchema }),
  deleteImage: op({ name: "deleteImage", method: "DELETE", path: "/v2/images/{image_id}", expect: [204], idempotent: true }),
  glanceListImages: op({ name: "glanceListImages", method: "GET", path: "/v2/images", expect: [200], idempotent: true, response: GlanceImageListSchema }),
  glanceGetImage: op({ name: "glanceGetImage", method: "GET", path: "/v2/images/{image_id}", expect: [200], idempotent: true, response: ImageSchema }),
  glanceCreateImage: op({ name: "glanceCreateImage", method: "POST", path: "/v2/images", expect: [201], idempotent: false, response: ImageSchema }),
  glanceUploadFile: op({ name: "glanceUploadFile", method: "PUT", path: "/v2/images/{image_id}/file", expect: [204], idempotent: false }),
  glanceUpdateImage: op({
    name: "glanceUpdateImage",
    method: "PATCH",
    path: "/v2/images/{image_id}",
    expect: [200],
    idempotent: true,
    response: ImageSchema,
    contentType: "application/openstack-images-v2.1-json-patch",
  }),
  listOsVersions: op({
    name: "listOsVersions",
    method: "GET",
    path: "/v1/cloudimages/os_version",
    expect: [200],
    idempotent: true,
    response: z.array(
      z.looseObject({
        platform: z.string(),
        version_list: z.array(z.looseObject({ os_version: z.string(), platform: z.string(), os_bit: z.number(), os_type: z.string() })),
      }),
    ),
  }),
  getQuota: op({
    name: "getQuota",
    method: "GET",
    path: "/v1/cloudimages/quota",
    expect: [200],
    idempotent: true,
    response: z.looseObject({
      quotas: z.looseObject({ resources: z.array(z.looseObject({ type: z.string(), used: z.number(), quota: z.number(), min: z.number(), max: z.number() })) }),
    }),
  }),
} satisfies Record<string, OperationSpec<unknown>>;
