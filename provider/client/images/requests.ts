/**
 * What the image calls send: typed requests turned into the service's bodies and queries. Pure
 * functions, so every option can be checked without a network.
 */
import { compact, type QueryValue } from "../core/client";

export interface ImageTag {
  key: string;
  value: string;
}

/** Fields every create request may carry. */
export interface CommonImageFields {
  name: string;
  description?: string;
  tags?: ImageTag[];
  minRam?: number;
  maxRam?: number;
  enterpriseProjectId?: string;
}

export interface FromInstanceRequest extends CommonImageFields {
  instanceId: string;
}

export interface DataFileRequest {
  imageUrl: string;
  minDisk: number;
  name?: string;
  description?: string;
  tags?: ImageTag[];
}

export interface FromFileRequest extends CommonImageFields {
  /** `bucket:object` in OBS. */
  imageUrl: string;
  minDisk: number;
  osVersion?: string;
  osType?: "Linux" | "Windows" | "Other";
  isConfig?: boolean;
  cmkId?: string;
  type?: "ECS" | "FusionCompute" | "BMS" | "Ironic" | "IsoImage";
  architecture?: "x86" | "arm";
  hwFirmwareType?: "bios" | "uefi";
  isQuickImport?: boolean;
  dataImages?: DataFileRequest[];
}

export interface FromVolumeRequest extends CommonImageFields {
  volumeId: string;
  osVersion: string;
  type?: "ECS" | "FusionCompute" | "BMS" | "Ironic";
}

export interface DataImagesFromVolumesRequest {
  images: { name: string; volumeId: string; description?: string; tags?: ImageTag[] }[];
  enterpriseProjectId?: string;
}

export interface QuickImportRequest extends CommonImageFields {
  imageUrl: string;
  minDisk: number;
  osVersion?: string;
  osType?: "Linux" | "Windows";
  type?: "ECS" | "BMS" | "DataImage";
  architecture?: "x86" | "arm";
  hwFirmwareType?: "bios" | "uefi";
  licenseType?: "platform" | "byol";
}

export interface DataImageFromFileRequest {
  name: string;
  imageUrl: string;
  minDisk: number;
  description?: string;
  osType?: "Linux" | "Windows";
  cmkId?: string;
  tags?: ImageTag[];
  enterpriseProjectId?: string;
}

export interface WholeImageRequest extends CommonImageFields {
  instanceId?: string;
  backupId?: string;
  wholeImageType?: "CBR" | "CSBS";
  vaultId?: string;
}

export interface ExportRequest {
  /** `bucket:object` to write. */
  bucketUrl: string;
  fileFormat?: "qcow2" | "vhd" | "zvhd" | "vmdk";
  isQuickExport?: boolean;
}

export interface ListImagesQuery {
  id?: string;
  name?: string;
  status?: string;
  owner?: string;
  imagetype?: "gold" | "private" | "shared" | "market";
  visibility?: "public" | "private" | "shared";
  memberStatus?: "pending" | "accepted" | "rejected";
  tag?: string;
  marker?: string;
  limit?: number;
  sortKey?: "created_at" | "name" | "container_format" | "disk_format" | "status" | "id" | "size";
  sortDir?: "asc" | "desc";
  /** Any other filter of the API, by its own name (e.g. `__platform`). */
  extra?: Record<string, string>;
}

const tagsBody = (tags: ImageTag[] | undefined) => (tags && tags.length ? tags.map((t) => ({ key: t.key, value: t.value })) : undefined);

function common(r: CommonImageFields) {
  return {
    name: r.name,
    description: r.description,
    image_tags: tagsBody(r.tags),
    min_ram: r.minRam,
    max_ram: r.maxRam,
    enterprise_project_id: r.enterpriseProjectId,
  };
}

export const fromInstanceBody = (r: FromInstanceRequest) => compact({ ...common(r), instance_id: r.instanceId });

export const fromFileBody = (r: FromFileRequest) =>
  compact({
    ...common(r),
    image_url: r.imageUrl,
    min_disk: r.minDisk,
    os_version: r.osVersion,
    os_type: r.osType,
    is_config: r.isConfig,
    cmk_id: r.cmkId,
    type: r.type,
    architecture: r.architecture,
    hw_firmware_type: r.hwFirmwareType,
    is_quick_import: r.isQuickImport,
    data_images: r.dataImages?.map((d) =>
      compact({ image_url: d.imageUrl, min_disk: d.minDisk, name: d.name, description: d.description, image_tags: tagsBody(d.tags) }),
    ),
  });

export const fromVolumeBody = (r: FromVolumeRequest) => compact({ ...common(r), volume_id: r.volumeId, os_version: r.osVersion, type: r.type });

export const dataImagesFromVolumesBody = (r: DataImagesFromVolumesRequest) =>
  compact({
    data_images: r.images.map((i) => compact({ name: i.name, volume_id: i.volumeId, description: i.description, tags: i.tags?.map((t) => `${t.key}.${t.value}`) })),
    enterprise_project_id: r.enterpriseProjectId,
  });

export const quickImportBody = (r: QuickImportRequest) =>
  compact({
    ...common(r),
    image_url: r.imageUrl,
    min_disk: r.minDisk,
    os_version: r.osVersion,
    os_type: r.osType,
    type: r.type,
    architecture: r.architecture,
    hw_firmware_type: r.hwFirmwareType,
    license_type: r.licenseType,
  });

export const dataImageFromFileBody = (r: DataImageFromFileRequest) =>
  compact({
    name: r.name,
    image_url: r.imageUrl,
    min_disk: r.minDisk,
    description: r.description,
    os_type: r.osType,
    cmk_id: r.cmkId,
    image_tags: tagsBody(r.tags),
    enterprise_project_id: r.enterpriseProjectId,
  });

export const wholeImageBody = (r: WholeImageRequest) =>
  compact({ ...common(r), instance_id: r.instanceId, backup_id: r.backupId, whole_image_type: r.wholeImageType, vault_id: r.vaultId });

export const exportBody = (r: ExportRequest) => compact({ bucket_url: r.bucketUrl, file_format: r.fileFormat, is_quick_export: r.isQuickExport });

export function listImagesQuery(q: ListImagesQuery): Record<string, QueryValue> {
  return compact({
    id: q.id,
    name: q.name,
    status: q.status,
    owner: q.owner,
    __imagetype: q.imagetype,
    visibility: q.visibility,
    member_status: q.memberStatus,
    tag: q.tag,
    marker: q.marker,
    limit: q.limit,
    sort_key: q.sortKey,
    sort_dir: q.sortDir,
    ...(q.extra ?? {}),
  });
}

/** A change of one attribute for `PATCH /v2/cloudimages/{id}` (values are sent as strings). */
export interface AttributeChange {
  attribute: string;
  /** undefined removes the attribute. */
  value: string | number | undefined;
}

export type PatchOp = { op: "add" | "replace" | "remove"; path: string; value?: string };

export function patchOps(changes: readonly AttributeChange[], op: "replace" | "add"): PatchOp[] {
  return changes.map((c) =>
    c.value === undefined ? { op: "remove", path: `/${c.attribute}` } : { op, path: `/${c.attribute}`, value: String(c.value) },
  );
}
