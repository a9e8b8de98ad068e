/**
 * The image calls (Huawei Cloud IMS API reference: "Image" and "Image (Native OpenStack API)"
 * chapters): where each goes, what it expects, whether it may be repeated, and what the answer
 * holds — strict on the fields used, tolerant of others (image attributes: "Image Attributes").
 */
import { z } from "zod";
import { op, type OperationSpec } from "../core/client";
import { JobRefSchema } from "../jobs/operations";

const strOrNum = z.union([z.string(), z.number()]);

export const ImageSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  visibility: z.string().optional(),
  owner: z.string().optional(),
  protected: z.boolean().optional(),
  disk_format: z.string().nullish(),
  container_format: z.string().nullish(),
  min_disk: z.number().nullish(),
  min_ram: z.number().nullish(),
  /** A string in responses (MB). */
  max_ram: strOrNum.nullish(),
  tags: z.array(z.string()).optional(),
  checksum: z.string().nullish(),
  size: z.number().nullish(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  active_at: z.string().nullish(),
  virtual_env_type: z.string().nullish(),
  __imagetype: z.string().optional(),
  __os_version: z.string().nullish(),
  __os_type: z.string().nullish(),
  __os_bit: z.string().nullish(),
  __platform: z.string().nullish(),
  __description: z.string().nullish(),
  __image_size: strOrNum.nullish(),
  __whole_image: z.union([z.string(), z.boolean()]).nullish(),
  __system__cmkid: z.string().nullish(),
  __data_origin: z.string().nullish(),
  __root_origin: z.string().nullish(),
  __originalimagename: z.string().nullish(),
  hw_firmware_type: z.string().nullish(),
  /** "0" (or absent): the default enterprise project. */
  enterprise_project_id: z.string().nullish(),
});

export type Image = z.infer<typeof ImageSchema>;

export const ImageListSchema = z.looseObject({ images: z.array(ImageSchema) });

export const GlanceImageListSchema = z.looseObject({
  images: z.array(ImageSchema),
  first: z.string().optional(),
  next: z.string().optional(),
});

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
