/**
 * Images: creation from every source, registration, export and deletion, with the service's
 * rules. Operations are named after the API actions.
 */
import { createHash } from "node:crypto";
import { inspectDisk } from "./disk-format";
import { img, glanceNotFound, ImsError } from "./errors";
import { newHex32, newUuid, UUID_PATTERN } from "./ids";
import { asObject, optBool, optEnum, optInt, optObjectArray, optString, reqString, type Fields } from "./input";
import { startJob, type NewJob } from "./jobs";
import type { Image, ImageOrigin, Job, StoredObject, SubJob } from "./model";
import { enterpriseProjectProperty } from "./enterprise-projects";
import { DEFAULT_OS_VERSION, findOsVersion } from "./os-versions";
import { checkDescription, checkName, checkOsVersion, checkRam, checkRange, readCreateTags } from "./rules";
import { ownedImage, visibleImage } from "./access";
import type { Caller, World } from "./world";

const CREATE_TYPES = ["ECS", "FusionCompute", "BMS", "Ironic", "IsoImage"] as const;
const ARCHITECTURES = ["x86", "arm"] as const;
const FIRMWARE = ["bios", "uefi"] as const;
export const GiB = 1024 ** 3;

function envType(type: string | undefined): Image["virtualEnvType"] {
  if (type === "BMS" || type === "Ironic") return "Ironic";
  if (type === "IsoImage") return "IsoImage";
  if (type === "DataImage") return "DataImage";
  return "FusionCompute";
}

/** A new private image of the caller's project, in `queued` status. */
export function newImage(world: World, caller: Caller, fields: Partial<Image> & Pick<Image, "name" | "origin">): Image {
  const now = world.now();
  return {
    id: newUuid(),
    region: caller.project.region,
    owner: caller.project.id,
    description: "",
    status: "queued",
    imagetype: "private",
    protected: false,
    registered: true,
    containerFormat: "bare",
    diskFormat: "zvhd2",
    minDisk: 0,
    minRam: 0,
    osVersion: DEFAULT_OS_VERSION,
    virtualEnvType: "FusionCompute",
    size: 0,
    checksum: "",
    createdAt: now,
    updatedAt: now,
    properties: {},
    tags: [],
    members: [],
    ...fields,
  };
}

/** A full-ECS image: made from a whole server or from its backup, and kept with that backup. */
export function isWholeImage(image: Image): boolean {
  return image.origin.kind === "whole-instance" || image.origin.kind === "whole-backup";
}

/** Common optional fields of the create APIs: `image` holds them as image fields. */
function commonFields(world: World, caller: Caller, fields: Fields) {
  const { minRam, maxRam } = checkRam(optInt(fields, "min_ram"), optInt(fields, "max_ram"));
  const image: Pick<Image, "description" | "minRam" | "tags"> & Partial<Pick<Image, "maxRam">> = {
    description: checkDescription(optString(fields, "description")),
    minRam,
    tags: readCreateTags(fields),
    ...(maxRam !== undefined ? { maxRam } : {}),
  };
  return { image, epsProperties: enterpriseProjectProperty(world, caller, fields) };
}

export function checkCmk(fields: Fields): string | undefined {
  const cmkId = optString(fields, "cmk_id");
  if (cmkId !== undefined && !UUID_PATTERN.test(cmkId)) throw img("0095");
  return cmkId;
}

function fileImage(object: StoredObject) {
  const bytes = Buffer.from(object.data, "base64");
  const disk = inspectDisk(bytes);
  return { disk, bytes, minDiskFloor: Math.ceil(disk.virtualSize / GiB) };
}

function checkMinDiskHoldsFile(minDisk: number, floor: number): void {
  if (minDisk < floor) throw img("0055", `min_disk (${minDisk} GB) is smaller than the disk in the image file (${floor} GB).`);
}

export function creationJob(type: string, image: Image, extra: Partial<NewJob> = {}): NewJob {
  return {
    type,
    effect: { kind: "activate", imageIds: [image.id] },
    entities: { image_id: image.id, image_name: image.name },
    creates: [image],
    ...extra,
  };
}

/** `POST /v2/cloudimages/action` (and `/v2.1/...`): one endpoint, five scenarios. */
export function createImage(world: World, caller: Caller, body: unknown): Job {
  const fields = asObject(body);
  if (optString(fields, "instance_id") !== undefined) return createFromInstance(world, caller, fields);
  if (optString(fields, "image_url") !== undefined) return createFromFile(world, caller, fields);
  if (optString(fields, "volume_id") !== undefined) return createFromVolume(world, caller, fields);
  const dataImages = optObjectArray(fields, "data_images");
  if (dataImages && dataImages.length > 0) return createFromDataVolumes(world, caller, dataImages, fields);
  throw img("0012");
}

function createFromInstance(world: World, caller: Caller, fields: Fields): Job {
  const name = checkName(optString(fields, "name"));
  if (optObjectArray(fields, "data_images")) {
    throw img("0001", "data_images cannot be combined with instance_id; create data images without instance_id.");
  }
  const common = commonFields(world, caller, fields);
  const server = world.server(caller, reqString(fields, "instance_id", img("0012")));
  if (server.status !== "ACTIVE" && server.status !== "SHUTOFF") throw img("0010");
  const systemVolume = world.state.volumes.find((v) => v.id === server.systemVolumeId);
  if (systemVolume && systemVolume.sizeGb > 1024) throw img("0111");
  world.checkQuota(caller.project.id);
  const source = server.sourceImageId ? world.image(server.sourceImageId) : undefined;
  const image = newImage(world, caller, {
    name,
    ...common.image,
    minDisk: systemVolume?.sizeGb ?? 40,
    osVersion: server.osVersion,
    size: (systemVolume?.sizeGb ?? 40) * GiB,
    origin: { kind: "instance", serverId: server.id },
    properties: {
      ...(source ? pickSupport(source.properties) : {}),
      __originalimagename: server.sourceImageId ?? "",
      __data_origin: `instance,${server.id}`,
      ...common.epsProperties,
    },
  });
  return startJob(world, caller, creationJob("imsCreateImageByInstance", image));
}

export function pickSupport(properties: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).filter(([k]) => k.startsWith("__support_") || k === "hw_firmware_type"));
}

function createFromFile(world: World, caller: Caller, fields: Fields): Job {
  const name = checkName(optString(fields, "name"));
  const common = commonFields(world, caller, fields);
  const type = optEnum(fields, "type", CREATE_TYPES, img("0024"));
  const architecture = optEnum(fields, "architecture", ARCHITECTURES, img("0212"));
  const firmware = optEnum(fields, "hw_firmware_type", FIRMWARE, img("0141"));
  const osTypeField = optEnum(fields, "os_type", ["Linux", "Windows", "Other"] as const, img("0122"));
  const quick = optBool(fields, "is_quick_import") ?? false;
  const isConfig = optBool(fields, "is_config");
  const cmkId = checkCmk(fields);
  const minDisk = optInt(fields, "min_disk");
  if (minDisk === undefined) throw img("0055", "min_disk is required with image_url.");
  checkRange(minDisk, 1, 1024, "min_disk (GB)");
  const osVersionField = optString(fields, "os_version");
  if (type === "IsoImage" && !osVersionField) throw img("0166");
  if (quick && !osVersionField) throw img("0056", "os_version is required for a quick import.");
  const os = osVersionField ? checkOsVersion(osVersionField) : undefined;

  const dataFiles = (optObjectArray(fields, "data_images") ?? []).map((d, index) => {
    const url = reqString(d, "image_url", img("0017"));
    const dataMinDisk = optInt(d, "min_disk");
    if (dataMinDisk === undefined) throw img("0055", `data_images[${index}].min_disk is required.`);
    checkRange(dataMinDisk, 1, 2048, `data_images[${index}].min_disk (GB)`);
    const dataName = optString(d, "name");
    return {
      url,
      minDisk: dataMinDisk,
      name: dataName !== undefined ? checkName(dataName) : `${name}-data-${index + 1}`,
      description: checkDescription(optString(d, "description")),
      tags: readCreateTags(d),
    };
  });
  if (dataFiles.length > 3) throw img("0001", "At most 3 data disk files may come with an image file.");
  const urls = [optString(fields, "image_url")!, ...dataFiles.map((d) => d.url)];
  if (new Set(urls).size !== urls.length) throw img("0123");

  const object = world.objectAt(caller, urls[0]);
  const file = fileImage(object);
  if (quick && file.disk.format !== "raw") throw img("0072", "A quick import takes a RAW or ZVHD2 file.");
  if (type === "IsoImage" && file.disk.format !== "iso") throw img("0057");
  checkMinDiskHoldsFile(minDisk, file.minDiskFloor);
  const dataObjects = dataFiles.map((d) => {
    const o = world.objectAt(caller, d.url);
    checkMinDiskHoldsFile(d.minDisk, fileImage(o).minDiskFloor);
    return o;
  });
  world.checkQuota(caller.project.id, 1 + dataFiles.length);

  const image = newImage(world, caller, {
    name,
    ...common.image,
    minDisk,
    osVersion: os?.osVersion ?? DEFAULT_OS_VERSION,
    virtualEnvType: envType(type),
    diskFormat: file.disk.format,
    size: object.size,
    checksum: object.md5,
    data: object.data,
    origin: { kind: "file", url: urls[0], quick },
    ...(cmkId ? { cmkId } : {}),
    properties: {
      __root_origin: "file",
      __originalimagename: "",
      __data_origin: `file,${urls[0]}`,
      hw_firmware_type: architecture === "arm" ? "uefi" : (firmware ?? "bios"),
      __support_arm: architecture === "arm" ? "true" : "false",
      ...(isConfig !== undefined ? { __is_config_init: String(isConfig) } : {}),
      ...(osTypeField && !os ? { __os_type: osTypeField } : {}),
      ...(cmkId ? { __system__cmkid: cmkId } : {}),
      ...common.epsProperties,
    },
  });
  const dataImages = dataFiles.map((d, i) =>
    newImage(world, caller, {
      name: d.name,
      description: d.description,
      tags: d.tags,
      minDisk: d.minDisk,
      virtualEnvType: "DataImage",
      osVersion: image.osVersion,
      diskFormat: inspectDisk(Buffer.from(dataObjects[i].data, "base64")).format,
      size: dataObjects[i].size,
      checksum: dataObjects[i].md5,
      data: dataObjects[i].data,
      origin: { kind: "file", url: d.url, quick },
      properties: { __root_origin: "file", __originalimagename: "", __data_origin: `file,${d.url}`, ...common.epsProperties },
    }),
  );
  const all = [image, ...dataImages];
  const subJobs: SubJob[] | undefined = dataImages.length
    ? all.map((i) => ({ jobId: newHex32(), jobType: i === image ? "imsImportImageJob" : "imsImportDataImageJob", imageId: i.id, imageName: i.name }))
    : undefined;
  return startJob(world, caller, {
    type: "imsImportImageJob",
    effect: { kind: "activate", imageIds: all.map((i) => i.id) },
    entities: { image_id: image.id, image_name: image.name },
    creates: all,
    ...(subJobs ? { subJobs } : {}),
  });
}

function createFromVolume(world: World, caller: Caller, fields: Fields): Job {
  const name = checkName(optString(fields, "name"));
  const common = commonFields(world, caller, fields);
  const type = optEnum(fields, "type", CREATE_TYPES, img("0024"));
  if (type === "IsoImage") throw img("0024");
  const os = checkOsVersion(reqString(fields, "os_version", img("0056", "os_version is required to create a system image from a volume.")));
  const volume = world.volume(caller, reqString(fields, "volume_id", img("0120")));
  world.checkQuota(caller.project.id);
  const image = newImage(world, caller, {
    name,
    ...common.image,
    minDisk: volume.sizeGb,
    osVersion: volume.osVersion ?? os.osVersion,
    virtualEnvType: envType(type),
    size: volume.sizeGb * GiB,
    origin: { kind: "volume", volumeId: volume.id },
    properties: { __data_origin: `volume,${volume.id}`, hw_firmware_type: "bios", ...common.epsProperties },
  });
  return startJob(world, caller, creationJob("imsVolumeCreateImageJob", image));
}

function createFromDataVolumes(world: World, caller: Caller, elements: Fields[], fields: Fields): Job {
  const eps = enterpriseProjectProperty(world, caller, fields);
  const specs = elements.map((e) => ({
    name: checkName(optString(e, "name")),
    description: checkDescription(optString(e, "description")),
    tags: readCreateTags(e),
    volume: world.volume(caller, reqString(e, "volume_id", img("0120"))),
  }));
  const servers = new Set(specs.map((s) => s.volume.serverId ?? `unattached:${s.volume.id}`));
  if (servers.size > 1) throw img("0140");
  if (specs.some((s) => s.volume.bootable)) throw img("0120", "A system disk cannot become a data image.");
  world.checkQuota(caller.project.id, specs.length);
  const images = specs.map((s) =>
    newImage(world, caller, {
      name: s.name,
      description: s.description,
      tags: s.tags,
      minDisk: s.volume.sizeGb,
      virtualEnvType: "DataImage",
      size: s.volume.sizeGb * GiB,
      origin: { kind: "volume", volumeId: s.volume.id },
      properties: { __data_origin: `volume,${s.volume.id}`, ...eps },
    }),
  );
  const subJobs = images.map((i) => ({ jobId: newHex32(), jobType: "imsCopyVolumeToImageJob", imageId: i.id, imageName: i.name }));
  return startJob(world, caller, {
    type: "imsVolumesToSysDataImagesJob",
    effect: { kind: "activate", imageIds: images.map((i) => i.id) },
    entities: {},
    creates: images,
    subJobs,
  });
}

/** `POST /v2/cloudimages/quickimport/action`. */
export function quickImport(world: World, caller: Caller, body: unknown): Job {
  const fields = asObject(body);
  const type = optEnum(fields, "type", ["ECS", "BMS", "FusionCompute", "Ironic", "DataImage"] as const, img("0024"));
  if (type === "DataImage") {
    return importDataImage(world, caller, fields, { quick: true, minDiskRange: [1, 1024] });
  }
  return createFromFile(world, caller, { ...fields, is_quick_import: true });
}

/** `POST /v1/cloudimages/dataimages/action` (and `/v2.1/cloudimages/dataimages/action`). */
export function createDataImage(world: World, caller: Caller, body: unknown): Job {
  return importDataImage(world, caller, asObject(body), { quick: false, minDiskRange: [40, 2048] });
}

function importDataImage(world: World, caller: Caller, fields: Fields, opts: { quick: boolean; minDiskRange: [number, number] }): Job {
  const name = checkName(optString(fields, "name"));
  const description = checkDescription(optString(fields, "description"));
  const tags = readCreateTags(fields);
  const osType = optEnum(fields, "os_type", ["Linux", "Windows"] as const, img("0122")) ?? "Linux";
  const cmkId = checkCmk(fields);
  const eps = enterpriseProjectProperty(world, caller, fields);
  const minDisk = optInt(fields, "min_disk");
  if (minDisk === undefined) throw img("0055", "min_disk is required.");
  checkRange(minDisk, opts.minDiskRange[0], opts.minDiskRange[1], "min_disk (GB)");
  const url = reqString(fields, "image_url", img("0017"));
  const object = world.objectAt(caller, url);
  const file = fileImage(object);
  if (opts.quick && file.disk.format !== "raw") throw img("0072", "A quick import takes a RAW or ZVHD2 file.");
  checkMinDiskHoldsFile(minDisk, file.minDiskFloor);
  world.checkQuota(caller.project.id);
  const image = newImage(world, caller, {
    name,
    description,
    tags,
    minDisk,
    virtualEnvType: "DataImage",
    diskFormat: file.disk.format,
    size: object.size,
    checksum: object.md5,
    data: object.data,
    osVersion: osType === "Windows" ? "Windows Server 2019 Datacenter 64bit" : DEFAULT_OS_VERSION,
    origin: { kind: "file", url, quick: opts.quick },
    ...(cmkId ? { cmkId } : {}),
    properties: {
      __root_origin: "file",
      __data_origin: `file,${url}`,
      __os_type: osType,
      ...(cmkId ? { __system__cmkid: cmkId } : {}),
      ...eps,
    },
  });
  return startJob(world, caller, creationJob("imsImportDataImageJob", image));
}

/** `POST /v1/cloudimages/wholeimages/action`: a full-ECS image from a server or a backup. */
export function createWholeImage(world: World, caller: Caller, body: unknown): Job {
  const fields = asObject(body);
  const name = checkName(optString(fields, "name"));
  const common = commonFields(world, caller, fields);
  const instanceId = optString(fields, "instance_id");
  const backupId = optString(fields, "backup_id");
  if (!instanceId && !backupId) throw img("0019");
  if (instanceId && backupId) throw img("0001", "Give either instance_id or backup_id, not both.");
  let origin: ImageOrigin;
  let serverId: string;
  let jobType: string;
  if (backupId) {
    const kind = optEnum(fields, "whole_image_type", ["CBR", "CSBS"] as const, img("0001", "whole_image_type must be CBR or CSBS.")) ?? "CSBS";
    const backup = world.state.backups.find((b) => b.id === backupId && b.projectId === caller.project.id);
    if (!backup) throw img("0020");
    if (backup.kind !== kind) throw img("0198", `The backup is a ${backup.kind} backup: set whole_image_type to ${backup.kind}.`);
    if (backup.imageId && world.image(backup.imageId)) throw img("0029");
    origin = { kind: "whole-backup", backupId, backupKind: kind };
    serverId = backup.serverId;
    jobType = "imsCreateWholeImageByBackupJob";
  } else {
    const server = world.server(caller, instanceId!);
    if (server.status !== "ACTIVE" && server.status !== "SHUTOFF") throw img("0010");
    origin = { kind: "whole-instance", serverId: server.id, backupId: newUuid() };
    serverId = server.id;
    jobType = "imsCreateWholeImageByInstanceJob";
  }
  world.checkQuota(caller.project.id);
  const server = world.state.servers.find((s) => s.id === serverId);
  const volumes = world.state.volumes.filter((v) => v.serverId === serverId);
  const backup = origin.kind === "whole-backup" ? origin.backupId : (origin as { backupId: string }).backupId;
  const image = newImage(world, caller, {
    name,
    ...common.image,
    minDisk: volumes.find((v) => v.bootable)?.sizeGb ?? 40,
    osVersion: server?.osVersion ?? DEFAULT_OS_VERSION,
    size: volumes.reduce((sum, v) => sum + v.sizeGb, 0) * GiB,
    origin,
    properties: { __whole_image: "true", __backup_id: backup, hw_firmware_type: "bios", ...common.epsProperties },
  });
  if (origin.kind === "whole-backup") {
    const record = world.state.backups.find((b) => b.id === backup);
    if (record) record.imageId = image.id;
  }
  return startJob(world, caller, creationJob(jobType, image));
}

/** `PUT /v1/cloudimages/{image_id}/upload`: import an OBS file into a metadata-only image. */
export function registerImage(world: World, caller: Caller, imageId: string, body: unknown): Job {
  const fields = asObject(body);
  const image = ownedImage(world, caller, imageId);
  if (image.origin.kind !== "metadata") {
    throw img("1075", `Image ${imageId} was not created by POST /v2/images: register a file into an image created that way.`);
  }
  if (image.status !== "queued" || image.creatingJobId) {
    throw img("1075", `Image ${imageId} is ${image.creatingJobId ? "already taking a file" : image.status}: only a queued image takes a file; create another with POST /v2/images.`);
  }
  const url = reqString(fields, "image_url", img("0017"));
  const object = world.objectAt(caller, url);
  const file = fileImage(object);
  Object.assign(image, {
    diskFormat: file.disk.format,
    size: object.size,
    checksum: object.md5,
    data: object.data,
    updatedAt: world.now(),
  });
  image.properties.__root_origin = "file";
  image.creatingJobId = undefined;
  const job = startJob(world, caller, {
    type: "imsNativeImportImageJob",
    effect: { kind: "activate", imageIds: [image.id] },
    entities: { image_id: image.id },
  });
  image.creatingJobId = job.id;
  world.imageChanged(image);
  return job;
}

const EXPORT_FORMATS = ["qcow2", "vhd", "zvhd", "vmdk"] as const;

/** Images derived from public images of these platforms cannot be exported (IMS API Reference, Exporting an Image). */
const NOT_EXPORTABLE_PLATFORMS = new Set(["Windows", "SUSE", "RedHat", "Ubuntu", "Oracle Linux"]);

/** The public image `image` derives from, following `__originalimagename` (server source, copy source). */
function publicAncestor(world: World, image: Image): Image | undefined {
  const seen = new Set<string>();
  for (let current: Image | undefined = image; current && !seen.has(current.id); ) {
    if (current.imagetype === "gold") return current;
    seen.add(current.id);
    const parent: string | undefined = current.properties.__originalimagename;
    current = parent ? world.image(parent) : undefined;
  }
  return undefined;
}

/** True while an export job of `image` runs. */
function exporting(world: World, image: Image): boolean {
  return world.unsettledJobs().some((j) => j.effect.kind === "export" && j.effect.imageId === image.id);
}

/** `POST /v1/cloudimages/{image_id}/file`: export to `bucket:key`. */
export function exportImage(world: World, caller: Caller, imageId: string, body: unknown): Job {
  const fields = asObject(body);
  const image = visibleImage(world, caller, imageId);
  if (!image) throw img("0027");
  if (image.imagetype === "gold") throw img("0077");
  if (image.owner !== caller.project.id) throw img("0106");
  if (isWholeImage(image)) throw img("0128");
  if (image.virtualEnvType === "IsoImage") throw img("0167");
  if (image.status !== "active") throw img("0046");
  const ancestor = publicAncestor(world, image);
  const platform = ancestor ? findOsVersion(ancestor.osVersion)?.platform : undefined;
  if (platform && NOT_EXPORTABLE_PLATFORMS.has(platform)) throw img("0071", `The image derives from the ${platform} public image ${ancestor!.id}.`);
  if (exporting(world, image)) throw img("0148");
  const quick = optBool(fields, "is_quick_export") ?? false;
  const format = optEnum(fields, "file_format", EXPORT_FORMATS, img("0072"));
  if (!quick && !format) throw img("0072", "file_format is required unless is_quick_export is true.");
  if (quick && format) throw img("0072", "file_format must not be given with is_quick_export.");
  if (quick && image.cmkId) throw img("0071", "An encrypted image cannot be exported quickly: export it without is_quick_export, with a file_format.");
  if (!quick && image.size > 128 * GiB) throw img("0160");
  const { bucket, key } = exportTarget(world, caller, reqString(fields, "bucket_url", img("0017")));
  return startJob(world, caller, {
    type: "imsNativeExportImageJob",
    effect: { kind: "export", imageId: image.id, bucket, key, ...(format ? { format } : {}) },
    entities: { image_id: image.id },
  });
}

/**
 * The `bucket:file` an export writes: a bucket of the caller's region that exists, and a file that
 * neither exists nor is being written by another export (IMS API Reference, Exporting an Image, and
 * Error Codes IMG.0058, IMG.0068–IMG.0070, IMG.0073).
 */
function exportTarget(world: World, caller: Caller, url: string): { bucket: string; key: string } {
  const colon = url.indexOf(":");
  if (colon < 0) throw img("0017", "bucket_url must be bucket:file, e.g. images-bucket:exports/web.qcow2.");
  const [bucket, key] = [url.slice(0, colon), url.slice(colon + 1)];
  if (bucket === "") throw img("0068", "bucket_url must start with the bucket name, as in images-bucket:exports/web.qcow2.");
  if (key === "") throw img("0073", "bucket_url must end with the file to write, as in images-bucket:exports/web.qcow2.");
  const region = caller.project.region;
  const found = world.state.buckets.find((b) => b.name === bucket);
  if (!found) throw img("0069", `The bucket ${bucket} does not exist: create it in OBS in ${region}, or name a bucket of ${region}.`);
  if (found.region !== region) throw img("0058", `The bucket ${bucket} is in ${found.region}: export into a bucket of ${region}.`);
  const writing = world.unsettledJobs().some((j) => j.effect.kind === "export" && j.effect.bucket === bucket && j.effect.key === key);
  if (world.object(bucket, key) || writing) throw img("0070", `${bucket}:${key} ${writing ? "is being written by another export" : "exists"}: name another file.`);
  return { bucket, key };
}

/** `POST /v2/images`: metadata only; the image waits in `queued` for a file. */
export function createImageMetadata(world: World, caller: Caller, body: unknown): Image {
  const fields = asObject(body);
  const name = optString(fields, "name") ?? "";
  if (name.length > 255) throw img("0002");
  const visibility = optString(fields, "visibility");
  if (visibility !== undefined && visibility !== "private") throw img("0001", "visibility must be private.");
  const os = checkOsVersion(optString(fields, "__os_version") ?? DEFAULT_OS_VERSION);
  const minDisk = checkRange(optInt(fields, "min_disk"), 1, 1024, "min_disk (GB)") ?? 0;
  const minRam = checkRange(optInt(fields, "min_ram"), 0, 1_048_576, "min_ram (MB)") ?? 0;
  const diskFormat = optEnum(fields, "disk_format", ["vhd", "zvhd", "zvhd2", "raw", "qcow2"] as const, img("0072")) ?? "zvhd2";
  const containerFormat = optEnum(fields, "container_format", ["bare"] as const, img("0001", "container_format must be bare.")) ?? "bare";
  const isProtected = optBool(fields, "protected") ?? false;
  const tags = (optStringArrayOrEmpty(fields, "tags")).map((t) => {
    if (t.length === 0 || t.length > 255) throw img("0115");
    const eq = t.indexOf("=");
    return eq < 0 ? { key: t, value: "" } : { key: t.slice(0, eq), value: t.slice(eq + 1) };
  });
  if (tags.length > 10) throw img("0116");
  world.checkQuota(caller.project.id);
  const image = newImage(world, caller, {
    name,
    minDisk,
    minRam,
    diskFormat,
    containerFormat,
    protected: isProtected,
    osVersion: os.osVersion,
    tags,
    origin: { kind: "metadata" },
    properties: {},
  });
  world.addImage(image);
  return image;
}

function optStringArrayOrEmpty(fields: Fields, key: string): string[] {
  const v = fields[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw img("0001");
  return v as string[];
}

/** `PUT /v2/images/{image_id}/file`: the image's bytes; it turns active after a short conversion. */
export function uploadImageFile(world: World, caller: Caller, imageId: string, bytes: Buffer): Job {
  const image = visibleImage(world, caller, imageId);
  if (!image) throw glanceNotFound(imageId);
  if (image.owner !== caller.project.id) throw new ImsError("IMG.0106", "The image owner is another tenant.", 403);
  if (image.status !== "queued" || image.creatingJobId) {
    throw new ImsError("IMG.0046", `Image ${imageId} is ${image.status}: only a queued image takes a file.`, 409);
  }
  if (bytes.length === 0) throw img("0057");
  const disk = inspectDisk(bytes);
  Object.assign(image, {
    diskFormat: disk.format === "raw" ? image.diskFormat : disk.format,
    size: bytes.length,
    checksum: md5(bytes),
    data: bytes.toString("base64"),
    updatedAt: world.now(),
  });
  const job = startJob(world, caller, {
    type: "imsNativeImportImageJob",
    effect: { kind: "activate", imageIds: [image.id] },
    entities: { image_id: image.id },
  });
  image.creatingJobId = job.id;
  image.status = "saving";
  world.imageChanged(image);
  return job;
}

const md5 = (bytes: Buffer): string => createHash("md5").update(bytes).digest("hex");

/** `DELETE /v2/images/{image_id}` (and the v1.1 path): only the owner, not while being created. */
export function deleteImage(world: World, caller: Caller, imageId: string, body: unknown): void {
  const image = visibleImage(world, caller, imageId);
  if (!image) throw glanceNotFound(imageId);
  if (image.imagetype === "gold") throw img("0094");
  if (image.owner !== caller.project.id) throw img("0092");
  if (image.protected) throw img("0028");
  if (image.creatingJobId) throw img("0090");
  if (exporting(world, image)) throw img("0148");
  if (body !== undefined && body !== null && body !== "") {
    const fields = asObject(body);
    if (optBool(fields, "delete_backup") === true && image.origin.kind === "whole-backup") {
      const backupId = image.origin.backupId;
      world.state.backups = world.state.backups.filter((b) => b.id !== backupId);
    }
  }
  world.removeImage(image);
  for (const backup of world.state.backups) if (backup.imageId === image.id) delete backup.imageId;
  world.changed();
}
