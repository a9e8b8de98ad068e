/** What the image APIs answer (reference §5.1): strict on the fields used, tolerant of others. */
import { z } from "zod";

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
});

export type Image = z.infer<typeof ImageSchema>;

export const ImageListSchema = z.looseObject({ images: z.array(ImageSchema) });

export const GlanceImageListSchema = z.looseObject({
  images: z.array(ImageSchema),
  first: z.string().optional(),
  next: z.string().optional(),
});

export const JobRefSchema = z.looseObject({ job_id: z.string().regex(/^\S+$/) });
export type JobRef = z.infer<typeof JobRefSchema>;
