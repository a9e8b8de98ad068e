/**
 * The admin API under `/_emulator/` (outside the service's namespace): the world and its
 * credentials, IAM agencies, enterprise projects, seeding, faults, out-of-band changes for drift
 * drills, the job clock, metrics.
 * It needs no authentication: the emulator listens on loopback by default.
 */
import { ImsError } from "../domain/errors";
import { advanceJobs } from "../domain/jobs";
import { inspectDisk } from "../domain/disk-format";
import { DEFAULT_ENTERPRISE_PROJECT } from "../domain/enterprise-projects";
import { newUuid, stableHex32, UUID_PATTERN } from "../domain/ids";
import type { Image, MemberStatus, Server, WorldState } from "../domain/model";
import { findOsVersion } from "../domain/os-versions";
import { checkDescription, checkName, checkTag } from "../domain/rules";
import { overwrite, type World } from "../domain/world";
import { checkWorld } from "../persist";
import { validateFault } from "../http/faults";
import { validateRateLimit } from "../http/rate-limit";
import { ok, type Context, type Reply, type Route } from "../http/router";
import { issueTemporaryKey } from "../domain/iam";

const bad = (message: string): ImsError => new ImsError("EMULATOR.BAD_REQUEST", message, 400);
const missing = (message: string): ImsError => new ImsError("EMULATOR.NOT_FOUND", message, 404);

const admin = (method: string, path: string, handle: (ctx: Context) => Reply): Route => ({
  method,
  path: `/_emulator${path}`,
  auth: "none",
  family: "admin",
  handle,
});

function object(ctx: Context): Record<string, unknown> {
  const body = ctx.json();
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw bad("The body must be a JSON object.");
  return body as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, key: string, fallback?: string): string {
  const v = body[key] ?? fallback;
  if (typeof v !== "string" || v === "") throw bad(`${key} must be a non-empty string.`);
  return v;
}

function numberField(body: Record<string, unknown>, key: string, fallback: number, min = 0): number {
  const v = body[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) throw bad(`${key} must be a number of at least ${min}.`);
  return v;
}

function projectOf(world: World, body: Record<string, unknown>): string {
  const id = stringField(body, "projectId", world.state.accessKeys[0]?.defaultProjectId);
  if (!world.project(id)) throw bad(`No project ${id}.`);
  return id;
}

/** What `GET /_emulator/world` shows: where to connect and with which credentials. */
export function worldSummary(world: World, baseUrl: string) {
  const s = world.state;
  const projectName = (id: string) => world.project(id)?.name ?? id;
  return {
    endpoint: baseUrl,
    iamEndpoint: `${baseUrl}/v3`,
    regions: s.regions.map((r) => r.id),
    domains: s.domains,
    agencies: s.agencies.map((a) => ({ name: a.name, domainId: a.domainId, domain: s.domains.find((d) => d.id === a.domainId)?.name })),
    // Every account has the default enterprise project 0; the others are stored.
    enterpriseProjects: [
      ...s.domains.map((d) => ({ id: DEFAULT_ENTERPRISE_PROJECT, name: "default", domainId: d.id, domain: d.name })),
      ...s.enterpriseProjects.map((e) => ({ id: e.id, name: e.name, domainId: e.domainId, domain: s.domains.find((d) => d.id === e.domainId)?.name })),
    ],
    users: s.users.map((u) => ({ id: u.id, name: u.name, password: u.password, domain: s.domains.find((d) => d.id === u.domainId)?.name })),
    projects: s.projects.map((p) => ({ id: p.id, name: p.name, region: p.region })),
    accessKeys: s.accessKeys.map((k) => ({
      access: k.access,
      secret: k.secret,
      projectId: k.defaultProjectId,
      projectName: projectName(k.defaultProjectId),
      ...(k.securityToken ? { securityToken: k.securityToken, expiresAt: new Date(k.expiresAt!).toISOString() } : {}),
    })),
    servers: s.servers,
    volumes: s.volumes,
    backups: s.backups,
    objects: s.objects.map((o) => ({ url: `${o.bucket}:${o.key}`, size: o.size, format: inspectDisk(Buffer.from(o.data, "base64")).format, md5: o.md5 })),
    imageQuota: s.imageQuota,
    images: s.images.length,
    jobs: s.jobs.length,
  };
}

/** IAM agency names: letters, digits, `_`, `-` and `.`, at most 64 characters. */
const AGENCY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The account the admin API's agencies and enterprise projects belong to: the world's first domain. */
function accountDomain(world: World, what: string): string {
  const domain = world.state.domains[0];
  if (!domain) throw bad(`The world has no account (domain) to hold ${what}.`);
  return domain.id;
}

function agencyDomain(world: World, name: string): string {
  if (!AGENCY_NAME.test(name)) throw bad(`The agency name ${name} is invalid: use 1 to 64 letters, digits, _, - or .`);
  return accountDomain(world, "an agency");
}

/** Enterprise project names as EPS takes them: 1 to 64 letters, digits, `_` and `-`, not "default". */
const ENTERPRISE_PROJECT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The account of an enterprise project the admin API adds or removes; the default one, 0, is refused. */
function enterpriseProjectDomain(world: World, id: string): string {
  if (id === DEFAULT_ENTERPRISE_PROJECT) throw bad("The default enterprise project 0 is always there: it cannot be added, renamed or removed.");
  if (!UUID_PATTERN.test(id)) throw bad(`The enterprise project ID ${id} is invalid: use a lowercase UUID.`);
  return accountDomain(world, "an enterprise project");
}

function imageFor(world: World, id: string): Image {
  const image = world.image(id);
  if (!image) throw missing(`No image ${id}.`);
  return image;
}

/** Out-of-band changes to an image, as someone using the console would make them. */
function patchImage(world: World, image: Image, body: Record<string, unknown>): void {
  const draft = structuredClone(image);
  if (body.name !== undefined) draft.name = checkName(String(body.name));
  if (body.description !== undefined) draft.description = checkDescription(String(body.description));
  if (body.minRam !== undefined) draft.minRam = numberField(body, "minRam", 0);
  if (body.maxRam !== undefined) {
    if (body.maxRam === null) delete draft.maxRam;
    else draft.maxRam = numberField(body, "maxRam", 0);
  }
  if (body.status !== undefined) {
    if (!["queued", "saving", "active", "killed"].includes(String(body.status))) throw bad("status must be queued, saving, active or killed.");
    draft.status = body.status as Image["status"];
  }
  if (body.tags !== undefined) {
    if (body.tags === null || typeof body.tags !== "object" || Array.isArray(body.tags)) throw bad("tags must be an object of key: value.");
    draft.tags = Object.entries(body.tags as Record<string, unknown>).map(([k, v]) => checkTag(k, v));
  }
  if (body.properties !== undefined) {
    if (body.properties === null || typeof body.properties !== "object" || Array.isArray(body.properties)) throw bad("properties must be an object.");
    for (const [k, v] of Object.entries(body.properties as Record<string, unknown>)) {
      if (v === null) delete draft.properties[k];
      else draft.properties[k] = String(v);
    }
  }
  draft.updatedAt = world.now();
  overwrite(image, draft);
  world.imageChanged(image);
}

/** The rate limit per project: `requestsPerSecond` null when there is none. */
function rateLimitView(ctx: Context) {
  const settings = ctx.runtime.rateLimit.get();
  return settings ?? { requestsPerSecond: null };
}

export const adminRoutes: Route[] = [
  admin("GET", "/world", (ctx) => ok(worldSummary(ctx.world, ctx.runtime.baseUrl))),
  admin("GET", "/state", (ctx) => ok(ctx.world.state)),
  admin("PUT", "/world", (ctx) => {
    let state: WorldState;
    try {
      state = checkWorld(ctx.json(), "the body");
    } catch (e) {
      throw bad((e as Error).message);
    }
    ctx.runtime.replaceWorld(state);
    return ok(worldSummary(ctx.runtime.world, ctx.runtime.baseUrl));
  }),
  admin("POST", "/reset", (ctx) => {
    ctx.runtime.reset();
    return ok(worldSummary(ctx.runtime.world, ctx.runtime.baseUrl));
  }),
  admin("PUT", "/agencies/{name}", (ctx) => {
    const domainId = agencyDomain(ctx.world, ctx.params.name);
    const exists = ctx.world.agency(domainId, ctx.params.name) !== undefined;
    if (!exists) {
      ctx.world.state.agencies.push({ domainId, name: ctx.params.name });
      ctx.world.changed();
    }
    return ok({ name: ctx.params.name, domainId }, exists ? 200 : 201);
  }),
  admin("DELETE", "/agencies/{name}", (ctx) => {
    const domainId = agencyDomain(ctx.world, ctx.params.name);
    if (!ctx.world.agency(domainId, ctx.params.name)) throw missing(`No agency ${ctx.params.name}.`);
    ctx.world.state.agencies = ctx.world.state.agencies.filter((a) => !(a.domainId === domainId && a.name === ctx.params.name));
    ctx.world.changed();
    return ok(undefined, 204);
  }),
  admin("PUT", "/enterprise-projects/{id}", (ctx) => {
    const { id } = ctx.params;
    const domainId = enterpriseProjectDomain(ctx.world, id);
    const name = stringField(object(ctx), "name");
    if (!ENTERPRISE_PROJECT_NAME.test(name) || name.toLowerCase() === "default") {
      throw bad(`The enterprise project name ${name} is invalid: use 1 to 64 letters, digits, _ or -, other than default.`);
    }
    const taken = ctx.world.state.enterpriseProjects.find((e) => e.domainId === domainId && e.name === name && e.id !== id);
    if (taken) throw bad(`The enterprise project ${taken.id} is already named ${name}: choose another name.`);
    const existing = ctx.world.enterpriseProject(domainId, id);
    if (existing) existing.name = name;
    else ctx.world.state.enterpriseProjects.push({ id, name, domainId });
    ctx.world.changed();
    return ok({ id, name, domainId }, existing ? 200 : 201);
  }),
  admin("DELETE", "/enterprise-projects/{id}", (ctx) => {
    const { id } = ctx.params;
    const domainId = enterpriseProjectDomain(ctx.world, id);
    if (!ctx.world.enterpriseProject(domainId, id)) throw missing(`No enterprise project ${id}.`);
    const held = ctx.world.state.images.filter((i) => i.properties.enterprise_project_id === id).map((i) => i.id);
    if (held.length > 0) {
      throw bad(
        `The enterprise project ${id} still holds ${held.length} image(s) (${held.join(", ")}): ` +
          "move them with PATCH /v2/cloudimages/{image_id} (enterprise_project_id) or delete them first.",
      );
    }
    ctx.world.state.enterpriseProjects = ctx.world.state.enterpriseProjects.filter((e) => !(e.domainId === domainId && e.id === id));
    ctx.world.changed();
    return ok(undefined, 204);
  }),
  admin("PUT", "/objects/{bucket}/{key*}", (ctx) => {
    const region = ctx.query.get("region") ?? ctx.world.state.regions[0].id;
    if (!ctx.world.state.regions.some((r) => r.id === region)) throw bad(`No region ${region}.`);
    const existing = ctx.world.state.buckets.find((b) => b.name === ctx.params.bucket);
    if (existing && existing.region !== region && ctx.query.has("region")) throw bad(`Bucket ${existing.name} is in ${existing.region}.`);
    const o = ctx.world.putObject(existing?.region ?? region, ctx.params.bucket, ctx.params.key, ctx.raw);
    ctx.world.changed();
    return ok({ url: `${o.bucket}:${o.key}`, size: o.size, md5: o.md5, format: inspectDisk(ctx.raw).format }, 201);
  }),
  admin("GET", "/objects/{bucket}/{key*}", (ctx) => {
    const o = ctx.world.object(ctx.params.bucket, ctx.params.key);
    if (!o) throw missing(`No object ${ctx.params.bucket}:${ctx.params.key}.`);
    return ok(Buffer.from(o.data, "base64"), 200, { "Content-Type": "application/octet-stream", "Content-MD5": o.md5 });
  }),
  admin("POST", "/servers", (ctx) => {
    const body = object(ctx);
    const projectId = projectOf(ctx.world, body);
    const osVersion = stringField(body, "osVersion", "Ubuntu 22.04 server 64bit");
    if (!findOsVersion(osVersion)) throw bad(`Unknown osVersion ${osVersion}.`);
    const status = stringField(body, "status", "SHUTOFF");
    if (!["ACTIVE", "SHUTOFF", "BUILD", "ERROR"].includes(status)) throw bad("status must be ACTIVE, SHUTOFF, BUILD or ERROR.");
    const dataDisks = body.dataDiskGb ?? [];
    if (!Array.isArray(dataDisks) || dataDisks.some((d) => typeof d !== "number" || d < 1)) throw bad("dataDiskGb must be an array of sizes.");
    const id = newUuid();
    const name = stringField(body, "name", `server-${id.slice(0, 8)}`);
    const systemVolumeId = newUuid();
    const dataVolumeIds = (dataDisks as number[]).map(() => newUuid());
    ctx.world.state.volumes.push(
      { id: systemVolumeId, projectId, name: `${name}-system`, sizeGb: numberField(body, "systemDiskGb", 40, 1), bootable: true, serverId: id, osVersion },
      ...(dataDisks as number[]).map((sizeGb, i) => ({ id: dataVolumeIds[i], projectId, name: `${name}-data-${i + 1}`, sizeGb, bootable: false, serverId: id })),
    );
    const server: Server = { id, projectId, name, status: status as Server["status"], systemVolumeId, dataVolumeIds, osVersion };
    if (typeof body.sourceImageId === "string") server.sourceImageId = body.sourceImageId;
    ctx.world.state.servers.push(server);
    ctx.world.changed();
    return ok(server, 201);
  }),
  admin("POST", "/volumes", (ctx) => {
    const body = object(ctx);
    const projectId = projectOf(ctx.world, body);
    const id = newUuid();
    const volume = {
      id,
      projectId,
      name: stringField(body, "name", `volume-${id.slice(0, 8)}`),
      sizeGb: numberField(body, "sizeGb", 50, 1),
      bootable: body.bootable === true,
      ...(typeof body.osVersion === "string" ? { osVersion: body.osVersion } : {}),
    };
    ctx.world.state.volumes.push(volume);
    ctx.world.changed();
    return ok(volume, 201);
  }),
  admin("POST", "/backups", (ctx) => {
    const body = object(ctx);
    const projectId = projectOf(ctx.world, body);
    const serverId = stringField(body, "serverId");
    if (!ctx.world.state.servers.some((s) => s.id === serverId && s.projectId === projectId)) throw bad(`No server ${serverId} in project ${projectId}.`);
    const kind = stringField(body, "kind", "CBR");
    if (kind !== "CBR" && kind !== "CSBS") throw bad("kind must be CBR or CSBS.");
    const id = newUuid();
    const backup = { id, projectId, name: stringField(body, "name", `backup-${id.slice(0, 8)}`), kind: kind as "CBR" | "CSBS", serverId, vaultId: newUuid() };
    ctx.world.state.backups.push(backup);
    ctx.world.changed();
    return ok(backup, 201);
  }),
  admin("POST", "/access-keys", (ctx) => {
    const body = object(ctx);
    const projectId = projectOf(ctx.world, body);
    const userId = stringField(body, "userId", ctx.world.state.users[0]?.id);
    if (!ctx.world.user(userId)) throw bad(`No user ${userId}.`);
    const caller = { project: ctx.world.project(projectId)!, userId };
    if (body.durationSeconds !== undefined) {
      const key = issueTemporaryKey(ctx.world, caller, numberField(body, "durationSeconds", 900));
      return ok(key, 201);
    }
    const seed = stableHex32(`${newUuid()}`);
    const key = { access: seed.slice(0, 20).toUpperCase(), secret: `${seed}${seed}`.slice(0, 40), userId, defaultProjectId: projectId };
    ctx.world.addAccessKey(key);
    return ok(key, 201);
  }),
  admin("GET", "/faults", (ctx) => ok({ faults: ctx.runtime.faults.list(), jobFailures: ctx.world.jobFailures })),
  admin("POST", "/faults", (ctx) => {
    try {
      return ok(ctx.runtime.faults.add(validateFault(ctx.json())), 201);
    } catch (e) {
      throw bad((e as Error).message);
    }
  }),
  admin("DELETE", "/faults", (ctx) => {
    ctx.runtime.faults.clear();
    ctx.world.jobFailures = [];
    return ok(undefined, 204);
  }),
  admin("DELETE", "/faults/{id}", (ctx) => {
    if (!ctx.runtime.faults.remove(Number(ctx.params.id))) throw missing(`No fault rule ${ctx.params.id}.`);
    return ok(undefined, 204);
  }),
  admin("GET", "/rate-limit", (ctx) => ok(rateLimitView(ctx))),
  admin("PUT", "/rate-limit", (ctx) => {
    try {
      ctx.runtime.rateLimit.set(validateRateLimit(ctx.json()));
    } catch (e) {
      throw bad((e as Error).message);
    }
    return ok(rateLimitView(ctx));
  }),
  admin("DELETE", "/rate-limit", (ctx) => {
    ctx.runtime.rateLimit.set(undefined);
    return ok(undefined, 204);
  }),
  admin("POST", "/job-failures", (ctx) => {
    const body = object(ctx);
    const rule = {
      jobType: stringField(body, "jobType", "*"),
      remaining: numberField(body, "count", 1, 1),
      errorCode: stringField(body, "errorCode", "IMG.0057"),
      failReason: stringField(body, "failReason", "The image file is empty, not found, or in incorrect format."),
    };
    ctx.world.jobFailures.push(rule);
    return ok(rule, 201);
  }),
  admin("PATCH", "/images/{image_id}", (ctx) => {
    advanceJobs(ctx.world);
    const image = imageFor(ctx.world, ctx.params.image_id);
    patchImage(ctx.world, image, object(ctx));
    return ok({ id: image.id, name: image.name, status: image.status });
  }),
  admin("DELETE", "/images/{image_id}", (ctx) => {
    ctx.world.removeImage(imageFor(ctx.world, ctx.params.image_id));
    return ok(undefined, 204);
  }),
  admin("PUT", "/images/{image_id}/members/{member_id}", (ctx) => {
    const image = imageFor(ctx.world, ctx.params.image_id);
    const status = stringField(object(ctx), "status", "pending");
    if (!["pending", "accepted", "rejected"].includes(status)) throw bad("status must be pending, accepted or rejected.");
    const now = ctx.world.now();
    const member = image.members.find((m) => m.memberId === ctx.params.member_id);
    if (member) {
      member.status = status as MemberStatus;
      member.updatedAt = now;
    } else {
      image.members.push({ memberId: ctx.params.member_id, memberType: "project", status: status as MemberStatus, createdAt: now, updatedAt: now });
    }
    ctx.world.imageChanged(image);
    return ok({ image_id: image.id, member_id: ctx.params.member_id, status });
  }),
  admin("DELETE", "/images/{image_id}/members/{member_id}", (ctx) => {
    const image = imageFor(ctx.world, ctx.params.image_id);
    if (!image.members.some((m) => m.memberId === ctx.params.member_id)) throw missing(`No member ${ctx.params.member_id}.`);
    image.members = image.members.filter((m) => m.memberId !== ctx.params.member_id);
    ctx.world.imageChanged(image);
    return ok(undefined, 204);
  }),
  admin("GET", "/clock", (ctx) => ok({ ...ctx.world.clock.state(), timing: ctx.world.timing })),
  admin("POST", "/tokens/revoke", (ctx) => {
    // Every token issued so far must be updated: what IAM does when a password changes.
    ctx.runtime.tokensRevokedBefore = Date.now() + 1;
    return ok(undefined, 204);
  }),
  admin("POST", "/clock", (ctx) => {
    const body = object(ctx);
    const clock = ctx.world.clock;
    try {
      if (body.paused === true) clock.pause();
      if (body.paused === false) clock.resume();
      if (body.speed !== undefined) clock.setSpeed(Number(body.speed));
      if (body.advanceMs !== undefined) clock.advance(Number(body.advanceMs));
    } catch (e) {
      throw bad((e as Error).message);
    }
    advanceJobs(ctx.world);
    return ok(clock.state());
  }),
  admin("PUT", "/timing", (ctx) => {
    const body = object(ctx);
    const timing = { ...ctx.world.timing, perType: { ...ctx.world.timing.perType } };
    if (body.defaultMs !== undefined) timing.defaultMs = numberField(body, "defaultMs", 0);
    if (body.jitter !== undefined) {
      timing.jitter = numberField(body, "jitter", 0);
      if (timing.jitter > 1) throw bad("jitter must be between 0 and 1.");
    }
    if (body.perType !== undefined) {
      if (body.perType === null || typeof body.perType !== "object") throw bad("perType must map job types to milliseconds.");
      for (const [type, ms] of Object.entries(body.perType as Record<string, unknown>)) {
        if (typeof ms !== "number" || ms < 0) throw bad(`perType.${type} must be a non-negative number.`);
        timing.perType[type] = ms;
      }
    }
    ctx.world.timing = timing;
    return ok(timing);
  }),
  admin("GET", "/metrics", (ctx) => ok(ctx.runtime.metrics.snapshot())),
  admin("DELETE", "/metrics", (ctx) => {
    ctx.runtime.metrics.reset();
    return ok(undefined, 204);
  }),
];
