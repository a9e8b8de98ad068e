import { createHash } from "node:crypto";
import { Clock } from "./clock";
import { makeQcow2, makeVhd } from "./disk-format";
import { img } from "./errors";
import { newHex32, stableHex32, stableUuid } from "./ids";
import { GroupedIndex, RecordIndex } from "./indexes";
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
 * The collections whose records the world follows one by one, for lookups and for the state
 * file's journal: they grow with use. The others (projects, users, servers…) stay small and are
 * written whole when they change.
 */
export const KEYED_COLLECTIONS = ["images", "jobs", "objects", "accessKeys"] as const;
export type KeyedCollection = (typeof KEYED_COLLECTIONS)[number];
export type RecordOf<C extends KeyedCollection> = WorldState[C][number];

/** The key of a record in its collection. */
export const RECORD_KEYS: { [C in KeyedCollection]: (record: RecordOf<C>) => string } = {
  images: (i) => i.id,
  jobs: (j) => j.id,
  objects: (o) => JSON.stringify([o.bucket, o.key]),
  accessKeys: (k) => k.access,
};

/** How a record changed since the changes were last taken: removed (first, or only), and what it holds now. */
export interface RecordChange<T> {
  removed: boolean;
  record?: T;
}

/** The changes since they were last taken (`World.takeChanges`), for the state file. */
export interface WorldChanges {
  /** An array was changed other than through the world's methods: only a whole copy is sure to hold everything. */
  everything: boolean;
  records: { [C in KeyedCollection]: Map<string, RecordChange<RecordOf<C>>> };
}

const noChanges = (): WorldChanges["records"] => ({ images: new Map(), jobs: new Map(), objects: new Map(), accessKeys: new Map() });

/**
 * The emulated cloud: its state and the lookups every service rule uses. It knows nothing of
 * HTTP. Every mutation is reported: records of the keyed collections are added and removed with
 * the world's methods and reported with `imageChanged` / `jobChanged` when they change; a change
 * of anything else is reported with `changed()`. So the state file can write only what changed.
 */
export class World {
  readonly clock: Clock;
  timing: JobTiming;
  jobFailures: JobFailureRule[] = [];
  onChange: () => void = () => {};
  /** Whether changes are kept for `takeChanges` (a state file is written). */
  trackChanges = false;
  private changes = 0;
  private pending = noChanges();
  private outsideSeen = 0;
  private readonly indexes = {
    images: new GroupedIndex<Image>(RECORD_KEYS.images, (i) => i.owner),
    jobs: new RecordIndex<Job>(RECORD_KEYS.jobs),
    objects: new RecordIndex<StoredObject>(RECORD_KEYS.objects),
    accessKeys: new RecordIndex<AccessKey>(RECORD_KEYS.accessKeys),
  };
  /** The jobs not settled yet, as of `unsettledAt` outside changes of the jobs array. */
  private unsettled = new Set<Job>();
  private unsettledAt = -1;

  constructor(
    public state: WorldState,
    options: { clock?: Clock; timing?: JobTiming } = {},
  ) {
    this.clock = options.clock ?? new Clock();
    this.timing = options.timing ?? DEFAULT_JOB_TIMING;
    // Indexed now: any later change of an array, by the world or not, is then seen as one.
    this.outsideChanges();
  }

  /** Something outside the keyed collections changed (a project, a server, the quota…). */
  changed(): void {
    this.changes += 1;
    this.onChange();
  }

  /** These images changed (in place). */
  imageChanged(...images: Image[]): void {
    for (const image of images) this.note("images", image, false);
    this.changed();
  }

  /** These jobs changed (in place). */
  jobChanged(...jobs: Job[]): void {
    for (const job of jobs) this.note("jobs", job, false);
    this.changed();
  }

  /** Changes one by one: every outside change of an array is a change too. */
  get version(): number {
    return this.changes + this.outsideChanges();
  }

  /** The changes since the last call, and none from then on. */
  takeChanges(): WorldChanges {
    const outside = this.outsideChanges();
    const changes = { everything: outside !== this.outsideSeen, records: this.pending };
    this.outsideSeen = outside;
    this.pending = noChanges();
    return changes;
  }

  private outsideChanges(): number {
    let n = 0;
    for (const c of KEYED_COLLECTIONS) {
      const index = this.indexes[c] as RecordIndex<RecordOf<typeof c>>;
      index.sync(this.state[c]);
      n += index.outsideChanges;
    }
    return n;
  }

  private note<C extends KeyedCollection>(collection: C, record: RecordOf<C>, removed: boolean): void {
    if (!this.trackChanges) return;
    const changes = this.pending[collection] as Map<string, RecordChange<RecordOf<C>>>;
    const key = (RECORD_KEYS[collection] as (r: RecordOf<C>) => string)(record);
    const before = changes.get(key);
    if (removed) changes.set(key, { removed: true });
    else changes.set(key, { removed: before?.removed ?? false, record });
  }

  private add<C extends KeyedCollection>(collection: C, record: RecordOf<C>): void {
    (this.indexes[collection] as RecordIndex<RecordOf<C>>).push(this.state[collection] as RecordOf<C>[], record);
    this.note(collection, record, false);
  }

  private drop<C extends KeyedCollection>(collection: C, record: RecordOf<C>): void {
    if ((this.indexes[collection] as RecordIndex<RecordOf<C>>).remove(this.state[collection] as RecordOf<C>[], record)) this.note(collection, record, true);
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
    return this.indexes.accessKeys.get(this.state.accessKeys, access);
  }

  addAccessKey(key: AccessKey): void {
    this.add("accessKeys", key);
    this.changed();
  }

  image(id: string): Image | undefined {
    return this.indexes.images.get(this.state.images, id);
  }

  /** The images of a project (any region, any status), in the order they were added. */
  imagesOwnedBy(projectId: string): ReadonlySet<Image> {
    return this.indexes.images.members(this.state.images, projectId);
  }

  addImage(image: Image): void {
    this.add("images", image);
    this.changed();
  }

  removeImage(image: Image): void {
    this.drop("images", image);
    this.changed();
  }

  job(id: string): Job | undefined {
    return this.indexes.jobs.get(this.state.jobs, id);
  }

  addJob(job: Job): void {
    this.unsettledJobs();
    this.add("jobs", job);
    if (!job.settled) this.unsettled.add(job);
    this.changed();
  }

  /** The jobs that have not ended yet, oldest first. */
  unsettledJobs(): Job[] {
    const jobs = this.indexes.jobs;
    jobs.sync(this.state.jobs);
    if (this.unsettledAt !== jobs.outsideChanges) {
      this.unsettled = new Set(this.state.jobs.filter((j) => !j.settled));
      this.unsettledAt = jobs.outsideChanges;
    }
    for (const job of this.unsettled) if (job.settled) this.unsettled.delete(job);
    return [...this.unsettled];
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.indexes.objects.get(this.state.objects, RECORD_KEYS.objects({ bucket, key } as StoredObject));
  }

  /** Stores an object, replacing one with the same bucket and key (the new one comes last). */
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
    const existing = this.object(bucket, key);
    if (existing) this.drop("objects", existing);
    this.add("objects", object);
    this.changed();
    return object;
  }

  /** The private images a project owns (what the `image` quota counts), in any live status. */
  ownedImageCount(projectId: string): number {
    let n = 0;
    for (const image of this.imagesOwnedBy(projectId)) if (image.status !== "deleted") n += 1;
    return n;
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
