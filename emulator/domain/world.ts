import { createHash } from "node:crypto";
import { Clock } from "./clock";
import { makeQcow2, makeVhd } from "./disk-format";
import { img } from "./errors";
import { newHex32, stableHex32, stableUuid } from "./ids";
import type { AccessKey, Agency, EnterpriseProject, Image, Job, Project, StoredObject, User, WorldState } from "./model";

/** How long jobs take, in virtual milliseconds. */
export interface JobTiming {
  /** Duration of every job type not listed in `perType`. */
  defaultMs: number;
  perType: Record<string, number>;
  /** Relative jitter: a job lasts duration × (1 ± jitter). */
  jitter: number;
}

export const DEFAULT_JOB_TIMING: JobTiming = {
  defaultMs: 3000,
  perType: {
    imsAddImageMembersJob: 800,
    imsDelImageMembersJob: 800,
    imsUpdateImageMembersJob: 800,
  },
  jitter: 0.25,
};

/** A rule that makes the next `remaining` jobs of a type fail. */
export interface JobFailureRule {
  jobType: string;
  remaining: number;
  errorCode: string;
  failReason: string;
}

/** The caller of a service operation: the project its token or AK/SK is scoped to. */
export interface Caller {
  project: Project;
  userId: string;
}

/**
 * The emulated cloud: its state and the lookups every service rule uses. It knows nothing of
 * HTTP. `changed()` is called after every mutation so the state file can be written.
 */
export class World {
  readonly clock: Clock;
  timing: JobTiming;
  jobFailures: JobFailureRule[] = [];
  onChange: () => void = () => {};

  constructor(
    public state: WorldState,
    options: { clock?: Clock; timing?: JobTiming } = {},
  ) {
    this.clock = options.clock ?? new Clock();
    this.timing = options.timing ?? DEFAULT_JOB_TIMING;
  }

  changed(): void {
    this.onChange();
  }

  now(): number {
    return Date.now();
  }

  project(id: string): Project | undefined {
    return this.state.projects.find((p) => p.id === id);
  }

  projectsNamed(name: string): Project[] {
    return this.state.projects.filter((p) => p.name === name);
  }

  user(id: string): User | undefined {
    return this.state.users.find((u) => u.id === id);
  }

  /** The IAM agency `name` of the account `domainId`. */
  agency(domainId: string, name: string): Agency | undefined {
    return this.state.agencies.find((a) => a.domainId === domainId && a.name === name);
  }

  /** The enterprise project `id` of the account `domainId` (the default one, `0`, is not stored). */
  enterpriseProject(domainId: string, id: string): EnterpriseProject | undefined {
    return this.state.enterpriseProjects.find((e) => e.domainId === domainId && e.id === id);
  }

  accessKey(access: string): AccessKey | undefined {
    return this.state.accessKeys.find((k) => k.access === access);
  }

  image(id: string): Image | undefined {
    return this.state.images.find((i) => i.id === id);
  }

  job(id: string): Job | undefined {
    return this.state.jobs.find((j) => j.id === id);
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.state.objects.find((o) => o.bucket === bucket && o.key === key);
  }

  /** Stores an object, replacing one with the same bucket and key. */
  putObject(region: string, bucket: string, key: string, bytes: Buffer): StoredObject {
    if (!this.state.buckets.some((b) => b.name === bucket)) this.state.buckets.push({ name: bucket, region });
    const object: StoredObject = {
      bucket,
      key,
      data: bytes.toString("base64"),
      size: bytes.length,
      md5: createHash("md5").update(bytes).digest("hex"),
      lastModified: this.now(),
    };
    this.state.objects = this.state.objects.filter((o) => !(o.bucket === bucket && o.key === key));
    this.state.objects.push(object);
    return object;
  }

  /** The private images a project owns (what the `image` quota counts), in any live status. */
  ownedImageCount(projectId: string): number {
    return this.state.images.filter((i) => i.owner === projectId && i.status !== "deleted").length;
  }

  /** Throws IMG.0015 unless the project may own `extra` more images. */
  checkQuota(projectId: string, extra = 1): void {
    if (this.ownedImageCount(projectId) + extra > this.state.imageQuota) throw img("0015");
  }

  /** Finds a server of the caller's project. */
  server(caller: Caller, id: string) {
    const server = this.state.servers.find((s) => s.id === id && s.projectId === caller.project.id);
    if (!server) throw img("0005");
    return server;
  }

  /** Finds a volume of the caller's project. */
  volume(caller: Caller, id: string) {
    const volume = this.state.volumes.find((v) => v.id === id && v.projectId === caller.project.id);
    if (!volume) throw img("0120");
    return volume;
  }

  /** An OBS object named `bucket:key`, readable from the caller's region. */
  objectAt(caller: Caller, url: string): StoredObject {
    const m = /^([^:]+):(.+)$/.exec(url);
    if (!m) throw img("0017");
    const [, bucketName, key] = m;
    const bucket = this.state.buckets.find((b) => b.name === bucketName);
    const object = this.object(bucketName, key);
    if (!bucket || !object || object.size === 0) throw img("0057");
    if (bucket.region !== caller.project.region) throw img("0058");
    return object;
  }
}

/**
 * Makes a record equal to an edited copy of it: every field of `draft` is copied, and fields the
 * draft dropped (a removed `maxRam`, say) are removed too, which Object.assign would keep.
 */
export function overwrite<T extends object>(record: T, draft: T): void {
  for (const key of Object.keys(record) as (keyof T)[]) if (!(key in draft)) delete record[key];
  Object.assign(record, draft);
}

/** Credentials and resources of the default world, printed by the CLI. */
export const DEFAULT_WORLD = {
  domainName: "ims-emulator",
  userName: "ims-user",
  password: "ims-emulator-password",
  regions: ["ap-southeast-1", "ap-southeast-3"],
  bucket: "images-bucket",
  /** The agency that lets IMS act in another region, as cross-region copies name it. */
  agency: "ims_admin_agency",
  /** An enterprise project besides the default one (`0`), with a stable id. */
  enterpriseProject: { name: "platform-team", id: stableUuid("enterprise-project:platform-team") },
} as const;

function accessKeyFor(seed: string): { access: string; secret: string } {
  const h = createHash("sha256").update(`ak:${seed}`).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const access = Array.from(h.subarray(0, 20), (b) => alphabet[b % alphabet.length]).join("");
  const secret = createHash("sha256").update(`sk:${seed}`).digest("base64").replace(/[+/=]/g, "").slice(0, 40);
  return { access, secret };
}

/**
 * The world every emulator starts with unless given another: one account with one user, the
 * agency cross-region copies need and an enterprise project besides the default one, two projects
 * in ap-southeast-1 and one in ap-southeast-3, an AK/SK pair for each project, two public images,
 * a stopped ECS server with a data volume, a spare volume, a CBR backup, and a qcow2 and a vhd
 * image file in a bucket. Its ids are stable, so examples can name them.
 */
export function defaultWorldState(): WorldState {
  const [region1, region3] = DEFAULT_WORLD.regions;
  const domainId = stableHex32("domain:ims-emulator");
  const project = (name: string, region: string): Project => ({
    id: stableHex32(`project:${name}`),
    name,
    region,
    domainId,
  });
  const main = project(region1, region1);
  const analytics = project(`${region1}_analytics`, region1);
  const remote = project(region3, region3);
  const platform = project(`${region1}_platform`, region1);
  const user: User = {
    id: stableHex32("user:ims-user"),
    name: DEFAULT_WORLD.userName,
    password: DEFAULT_WORLD.password,
    domainId,
  };
  const accessKeys: AccessKey[] = [main, analytics, remote].map((p) => ({
    ...accessKeyFor(p.name),
    userId: user.id,
    defaultProjectId: p.id,
  }));

  const created = Date.parse("2026-01-05T08:00:00Z");
  const publicImage = (name: string, osVersion: string, region: string): Image => ({
    id: stableUuid(`public:${region}:${name}`),
    region,
    owner: platform.id,
    name,
    description: "",
    status: "active",
    imagetype: "gold",
    protected: true,
    registered: true,
    containerFormat: "bare",
    diskFormat: "zvhd2",
    minDisk: 40,
    minRam: 1024,
    osVersion,
    virtualEnvType: "FusionCompute",
    size: 0,
    checksum: "d41d8cd98f00b204e9800998ecf8427e",
    createdAt: created,
    updatedAt: created,
    activeAt: created,
    origin: { kind: "public" },
    properties: { __support_kvm: "true", hw_firmware_type: "bios", __image_source_type: "uds", __lazyloading: "true" },
    tags: [],
    members: [],
  });
  const ubuntu = publicImage("Ubuntu 22.04 server 64bit", "Ubuntu 22.04 server 64bit", region1);
  const centos = publicImage("CentOS 7.9 64bit", "CentOS 7.9 64bit", region1);
  const ubuntuRemote = publicImage("Ubuntu 22.04 server 64bit", "Ubuntu 22.04 server 64bit", region3);

  const serverId = stableUuid("server:web-01");
  const systemVolumeId = stableUuid("volume:web-01-system");
  const dataVolumeId = stableUuid("volume:web-01-data");
  const spareVolumeId = stableUuid("volume:logs-disk");

  const state: WorldState = {
    format: "ims-emulator-world/1",
    tokenKey: newHex32() + newHex32(),
    imageQuota: 50,
    regions: DEFAULT_WORLD.regions.map((id) => ({ id })),
    domains: [{ id: domainId, name: DEFAULT_WORLD.domainName }],
    agencies: [{ domainId, name: DEFAULT_WORLD.agency }],
    enterpriseProjects: [{ ...DEFAULT_WORLD.enterpriseProject, domainId }],
    projects: [main, analytics, remote, platform],
    users: [user],
    accessKeys,
    servers: [
      {
        id: serverId,
        projectId: main.id,
        name: "web-01",
        status: "SHUTOFF",
        systemVolumeId,
        dataVolumeIds: [dataVolumeId],
        sourceImageId: ubuntu.id,
        osVersion: "Ubuntu 22.04 server 64bit",
      },
    ],
    volumes: [
      { id: systemVolumeId, projectId: main.id, name: "web-01-system", sizeGb: 40, bootable: true, serverId, osVersion: "Ubuntu 22.04 server 64bit" },
      { id: dataVolumeId, projectId: main.id, name: "web-01-data", sizeGb: 100, bootable: false, serverId },
      { id: spareVolumeId, projectId: main.id, name: "logs-disk", sizeGb: 50, bootable: false },
    ],
    backups: [
      { id: stableUuid("backup:web-01"), projectId: main.id, name: "web-01-backup", kind: "CBR", serverId, vaultId: stableUuid("vault:default") },
    ],
    buckets: [],
    objects: [],
    images: [ubuntu, centos, ubuntuRemote],
    jobs: [],
  };
  const world = new World(state);
  world.putObject(region1, DEFAULT_WORLD.bucket, "ubuntu-24.04.qcow2", makeQcow2(20));
  world.putObject(region1, DEFAULT_WORLD.bucket, "data-disk.vhd", makeVhd(40));
  for (const o of state.objects) o.lastModified = created;
  return state;
}
