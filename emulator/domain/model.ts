/**
 * The records of the emulated cloud. Everything here is plain JSON, so the whole world can be
 * saved to a state file and loaded again (persist.ts), with in-flight jobs included.
 */

export interface Region {
  id: string;
}

export interface Domain {
  id: string;
  name: string;
}

/**
 * An IAM agency of an account (domain). IMS needs one to act in the destination region of a
 * cross-region copy: the request names it in `agency_name`.
 */
export interface Agency {
  domainId: string;
  name: string;
}

/**
 * An enterprise project of an account (domain), as Enterprise Project Management (EPS) keeps
 * them. Every account also has the default enterprise project `0`, which is not stored: images
 * belong to it unless they name another.
 */
export interface EnterpriseProject {
  /** A UUID (the default enterprise project's id, `0`, is never stored). */
  id: string;
  name: string;
  domainId: string;
}

export interface Project {
  id: string;
  name: string;
  region: string;
  domainId: string;
}

export interface User {
  id: string;
  name: string;
  password: string;
  domainId: string;
}

/** An AK/SK pair; a temporary one also has a security token and an expiry. */
export interface AccessKey {
  access: string;
  secret: string;
  userId: string;
  /** The project used when a request names none with X-Project-Id. */
  defaultProjectId: string;
  securityToken?: string;
  /** Epoch ms. */
  expiresAt?: number;
}

export type ServerStatus = "ACTIVE" | "SHUTOFF" | "BUILD" | "ERROR";

export interface Server {
  id: string;
  projectId: string;
  name: string;
  status: ServerStatus;
  systemVolumeId: string;
  dataVolumeIds: string[];
  /** The image the server was created from (becomes `__originalimagename`). */
  sourceImageId?: string;
  osVersion: string;
}

export interface Volume {
  id: string;
  projectId: string;
  name: string;
  sizeGb: number;
  bootable: boolean;
  serverId?: string;
  /** The OS found on the volume, if any. */
  osVersion?: string;
}

export interface Backup {
  id: string;
  projectId: string;
  name: string;
  kind: "CBR" | "CSBS";
  serverId: string;
  vaultId?: string;
  /** The full-ECS image made from this backup, if any (a backup serves one image only). */
  imageId?: string;
}

export interface StoredObject {
  bucket: string;
  key: string;
  /** base64 of the object's bytes. */
  data: string;
  size: number;
  md5: string;
  lastModified: number;
}

export interface Bucket {
  name: string;
  region: string;
}

export type ImageStatus = "queued" | "saving" | "active" | "killed" | "deleted";
export type MemberStatus = "pending" | "accepted" | "rejected";

export interface Member {
  memberId: string;
  memberType: "project" | "domain";
  status: MemberStatus;
  createdAt: number;
  updatedAt: number;
  vaultId?: string;
}

/** How an image came to be; decides what it may do later (copy, export, share). */
export type ImageOrigin =
  | { kind: "public" }
  | { kind: "instance"; serverId: string }
  | { kind: "file"; url: string; quick: boolean }
  | { kind: "volume"; volumeId: string }
  | { kind: "whole-instance"; serverId: string; backupId: string }
  | { kind: "whole-backup"; backupId: string; backupKind: "CBR" | "CSBS" }
  | { kind: "copy"; sourceImageId: string; sourceRegion: string }
  | { kind: "metadata" };

export interface Tag {
  key: string;
  value: string;
  /** Given as a legacy "key.value" string (E20 `tag`, create `tags`): E21 lists it as key.value. */
  legacy?: true;
}

export interface Image {
  id: string;
  region: string;
  /** Owning project id; public images belong to the platform project. */
  owner: string;
  name: string;
  description: string;
  status: ImageStatus;
  imagetype: "gold" | "private";
  protected: boolean;
  registered: boolean;
  containerFormat: string;
  diskFormat: string;
  minDisk: number;
  minRam: number;
  maxRam?: number;
  osVersion: string;
  virtualEnvType: "FusionCompute" | "Ironic" | "DataImage" | "IsoImage";
  /** Bytes of the image file; 0 until the image is active. */
  size: number;
  checksum: string;
  createdAt: number;
  updatedAt: number;
  activeAt?: number;
  origin: ImageOrigin;
  /** Further attributes as the service stores them (strings): `__support_kvm`, `hw_firmware_type`, custom ones… */
  properties: Record<string, string>;
  tags: Tag[];
  members: Member[];
  /** base64 of uploaded or imported bytes, when kept (Glance download). */
  data?: string;
  cmkId?: string;
  /** The job that is creating this image, while it runs. */
  creatingJobId?: string;
}

export type JobStatus = "INIT" | "RUNNING" | "SUCCESS" | "FAIL";

/** What a job does when it completes; the side effects live in jobs.ts. */
export type JobEffect =
  | { kind: "activate"; imageIds: string[] }
  | { kind: "export"; imageId: string; bucket: string; key: string; format?: string }
  | { kind: "add-members"; imageIds: string[]; members: string[]; memberType: "project" | "domain" }
  | { kind: "remove-members"; imageIds: string[]; members: string[] }
  | { kind: "update-members"; imageIds: string[]; projectId: string; status: "accepted" | "rejected"; vaultId?: string }
  | { kind: "none" };

export interface JobPlan {
  /** Virtual time at which INIT becomes RUNNING. */
  runAt: number;
  /** Virtual time at which the job ends. */
  endAt: number;
  outcome: "SUCCESS" | "FAIL";
  errorCode?: string;
  failReason?: string;
}

export interface SubJob {
  jobId: string;
  jobType: string;
  imageId: string;
  imageName: string;
}

export interface Job {
  id: string;
  projectId: string;
  region: string;
  type: string;
  status: JobStatus;
  beginTime: number;
  endTime?: number;
  errorCode: string | null;
  failReason: string | null;
  entities: Record<string, unknown>;
  subJobs?: SubJob[];
  plan: JobPlan;
  effect: JobEffect;
  /** True once the effect (or the failure) was applied. */
  settled: boolean;
}

export interface WorldState {
  format: "ims-emulator-world/1";
  /** Key that signs the IAM tokens this world issues. */
  tokenKey: string;
  imageQuota: number;
  regions: Region[];
  domains: Domain[];
  agencies: Agency[];
  enterpriseProjects: EnterpriseProject[];
  projects: Project[];
  users: User[];
  accessKeys: AccessKey[];
  servers: Server[];
  volumes: Volume[];
  backups: Backup[];
  buckets: Bucket[];
  objects: StoredObject[];
  images: Image[];
  jobs: Job[];
}
