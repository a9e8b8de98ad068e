/**
 * How the service renders its records as JSON (IMS API Reference: Image Attributes, the member
 * queries, Querying the Status of an Asynchronous Job). Views depend on
 * who looks: the owner of a shared image sees `shared`, so does an accepted member.
 */
import { enterpriseProjectOf } from "./enterprise-projects";
import { imsTime, jobTime } from "./ids";
import { jobEntities } from "./jobs";
import type { Image, Job, Member } from "./model";
import { findOsVersion } from "./os-versions";

export type ImageView = Record<string, unknown>;

/** The `__support_*` capability attributes that list filters and PATCH both know. */
export const SUPPORT_ATTRIBUTES = [
  "__support_kvm",
  "__support_xen",
  "__support_largememory",
  "__support_diskintensive",
  "__support_highperformance",
  "__support_xen_gpu_type",
  "__support_kvm_gpu_type",
  "__support_xen_hana",
  "__support_kvm_infiniband",
] as const;

/** The image object of the extension and Glance-compatible APIs, as `viewer` sees it. */
export function imageView(image: Image, viewer: string): ImageView {
  const os = findOsVersion(image.osVersion);
  const shared = image.imagetype === "private" && image.members.length > 0 && (image.owner === viewer || image.members.some((m) => m.memberId === viewer));
  const imagetype = image.imagetype === "gold" ? "gold" : shared || image.owner !== viewer ? "shared" : "private";
  const visibility = image.imagetype === "gold" ? "public" : imagetype === "shared" ? "shared" : "private";
  const view: ImageView = {
    schema: "/v2/schemas/image",
    id: image.id,
    name: image.name,
    status: image.status,
    visibility,
    protected: image.protected,
    owner: image.owner,
    container_format: image.containerFormat,
    disk_format: image.diskFormat,
    min_disk: image.minDisk,
    min_ram: image.minRam,
    tags: image.tags.map((t) => (t.value === "" ? t.key : `${t.key}=${t.value}`)),
    created_at: imsTime(image.createdAt),
    updated_at: imsTime(image.updatedAt),
    active_at: image.activeAt !== undefined ? imsTime(image.activeAt) : "",
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    checksum: image.checksum,
    size: image.size,
    virtual_size: null,
    virtual_env_type: image.virtualEnvType,
    __imagetype: imagetype,
    __isregistered: String(image.registered),
    __image_source_type: "uds",
    __image_size: String(image.status === "active" ? image.size : 0),
    __os_version: image.osVersion,
    __os_type: os?.osType ?? "Other",
    __os_bit: String(os?.osBit ?? 64),
    __platform: os?.platform ?? "Other",
    __lazyloading: "true",
    __productcode: "",
    __originalimagename: "",
    __backup_id: "",
    __data_origin: null,
    ...image.properties,
  };
  const enterpriseProject = enterpriseProjectOf(image);
  if (enterpriseProject !== undefined) view.enterprise_project_id = enterpriseProject;
  if (image.description !== "") view.__description = image.description;
  if (image.maxRam !== undefined) view.max_ram = String(image.maxRam);
  if (!("hw_firmware_type" in view) && image.virtualEnvType !== "DataImage") view.hw_firmware_type = "bios";
  return view;
}

/** A member as the member APIs render it. */
export function memberView(image: Image, member: Member): Record<string, unknown> {
  return {
    status: member.status,
    created_at: imsTime(member.createdAt),
    updated_at: imsTime(member.updatedAt),
    image_id: image.id,
    member_id: member.memberId,
    schema: "/v2/schemas/member",
    member_type: member.memberType,
  };
}

/** A job as `GET /v1/{project_id}/jobs/{job_id}` renders it. */
export function jobView(job: Job): Record<string, unknown> {
  return {
    status: job.status,
    job_id: job.id,
    job_type: job.type,
    begin_time: jobTime(job.beginTime),
    end_time: job.endTime !== undefined ? jobTime(job.endTime) : "",
    error_code: job.errorCode,
    fail_reason: job.failReason,
    entities: jobEntities(job),
  };
}
