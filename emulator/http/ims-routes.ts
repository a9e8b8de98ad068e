/** IMS extension APIs (the "IMS APIs" chapter of the Huawei Cloud IMS API Reference). */
import { img, ImsError } from "../domain/errors";
import { visibleImage } from "../domain/access";
import { copyImageCrossRegion, copyImageInRegion } from "../domain/copies";
import { createDataImage, createImage, createWholeImage, exportImage, quickImport, registerImage } from "../domain/images";
import { addMembers, getMember, listMembers, removeMembers, updateMembers } from "../domain/members";
import type { Job } from "../domain/model";
import { OS_VERSIONS } from "../domain/os-versions";
import { listImages } from "../domain/queries";
import {
  addTag,
  batchDeleteTags,
  batchTags,
  checkPathProject,
  deleteTag,
  imageTags,
  listLegacyTags,
  projectTags,
  putLegacyTag,
  queryByTags,
} from "../domain/tags";
import { updateImage } from "../domain/updates";
import { imageView, jobView, memberView } from "../domain/views";
import { ok, type Context, type Reply, type Route } from "./router";

const jobReply = (job: Job): Reply => ok({ job_id: job.id });

/** An IMS route that takes the caller's project (token or AK/SK). */
const ims = (method: string, path: string, handle: (ctx: Context) => Reply): Route => ({ method, path, auth: "project", family: "ims", handle });

/** The same handler under several paths (the `/v2.1` safe-mode aliases). */
const aliases = (method: string, paths: string[], handle: (ctx: Context) => Reply): Route[] => paths.map((p) => ims(method, p, handle));

function jobOf(ctx: Context, jobId: string): Job {
  const job = ctx.world.job(jobId);
  if (!job || job.projectId !== ctx.caller.project.id) throw new ImsError("IMG.0023", `The job ${jobId} does not exist.`, 404);
  return job;
}

/** E13/E14 are extension APIs: an image the caller cannot see is 400 IMG.0027 (IMS API Reference, Error Codes), not Glance's 404. */
function checkMemberQueryImage(ctx: Context): void {
  if (!visibleImage(ctx.world, ctx.caller, ctx.params.image_id)) throw img("0027");
}

function osVersionGroups(tags: string[]) {
  const wanted = OS_VERSIONS.filter((v) => tags.every((t) => v.tags.includes(t)));
  const platforms = [...new Set(wanted.map((v) => v.platform))];
  return platforms.map((platform) => ({
    platform,
    version_list: wanted
      .filter((v) => v.platform === platform)
      .map((v) => ({ platform, os_version_key: v.osVersion, os_version: v.osVersion, os_bit: v.osBit, os_type: v.osType })),
  }));
}

const OS_TAGS = ["bms", "uefi", "arm", "x86", "kvm"];

export const imsRoutes: Route[] = [
  ims("GET", "/v2/cloudimages", (ctx) => ok({ images: listImages(ctx.world, ctx.caller, ctx.query, { native: false }).images })),
  ims("PATCH", "/v2/cloudimages/{image_id}", (ctx) =>
    ok(imageView(updateImage(ctx.world, ctx.caller, ctx.params.image_id, ctx.json()), ctx.caller.project.id)),
  ),
  ...aliases("POST", ["/v2/cloudimages/action", "/v2.1/cloudimages/action"], (ctx) => jobReply(createImage(ctx.world, ctx.caller, ctx.json()))),
  ...aliases("POST", ["/v2/cloudimages/quickimport/action", "/v2.1/cloudimages/quickimport/action"], (ctx) =>
    jobReply(quickImport(ctx.world, ctx.caller, ctx.json())),
  ),
  ...aliases("POST", ["/v1/cloudimages/dataimages/action", "/v2.1/cloudimages/dataimages/action"], (ctx) =>
    jobReply(createDataImage(ctx.world, ctx.caller, ctx.json())),
  ),
  ims("POST", "/v1/cloudimages/wholeimages/action", (ctx) => jobReply(createWholeImage(ctx.world, ctx.caller, ctx.json()))),
  ims("PUT", "/v1/cloudimages/{image_id}/upload", (ctx) => jobReply(registerImage(ctx.world, ctx.caller, ctx.params.image_id, ctx.json()))),
  ...aliases("POST", ["/v1/cloudimages/{image_id}/file", "/v2.1/cloudimages/{image_id}/file"], (ctx) =>
    jobReply(exportImage(ctx.world, ctx.caller, ctx.params.image_id, ctx.json())),
  ),
  ims("GET", "/v1/cloudimages/os_version", (ctx) => {
    const tags = ctx.query.getAll("tag");
    for (const t of tags) if (!OS_TAGS.includes(t)) throw img("0001", `tag must be one of ${OS_TAGS.join(", ")}.`);
    return ok(osVersionGroups(tags.filter((t) => t !== "kvm")));
  }),
  ims("POST", "/v1/cloudimages/members", (ctx) => jobReply(addMembers(ctx.world, ctx.caller, ctx.json()))),
  ims("DELETE", "/v1/cloudimages/members", (ctx) => jobReply(removeMembers(ctx.world, ctx.caller, ctx.json()))),
  ims("PUT", "/v1/cloudimages/members", (ctx) => jobReply(updateMembers(ctx.world, ctx.caller, ctx.json()))),
  ims("GET", "/v1/{project_id}/cloudimages/{image_id}/members", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    checkMemberQueryImage(ctx);
    const { image, members } = listMembers(ctx.world, ctx.caller, ctx.params.image_id);
    const limit = ctx.query.get("limit") !== null ? Number(ctx.query.get("limit")) : 25;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw img("0001", "limit must be an integer from 1 to 1000.");
    const marker = ctx.query.get("marker");
    const start = marker === null ? 0 : members.findIndex((m) => m.memberId === marker) + 1;
    if (marker !== null && start === 0) throw img("0001", `The marker ${marker} is not a member of this image.`);
    const page = members.slice(start, start + limit);
    const more = start + limit < members.length;
    return ok({
      members: page.map((m) => memberView(image, m)),
      schema: "/v2/schemas/members",
      page_info: { ...(more ? { next_marker: page[page.length - 1].memberId } : {}), current_count: page.length },
    });
  }),
  ims("GET", "/v1/{project_id}/cloudimages/{image_id}/members/{member_id}", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    checkMemberQueryImage(ctx);
    const { image, member } = getMember(ctx.world, ctx.caller, ctx.params.image_id, ctx.params.member_id);
    return ok(memberView(image, member));
  }),
  ...aliases("POST", ["/v1/cloudimages/{image_id}/copy", "/v2.1/cloudimages/{image_id}/copy"], (ctx) =>
    jobReply(copyImageInRegion(ctx.world, ctx.caller, ctx.params.image_id, ctx.json())),
  ),
  ims("POST", "/v1/cloudimages/{image_id}/cross_region_copy", (ctx) =>
    jobReply(copyImageCrossRegion(ctx.world, ctx.caller, ctx.params.image_id, ctx.json())),
  ),
  ims("GET", "/v1/cloudimages/quota", (ctx) =>
    ok({
      quotas: {
        resources: [{ type: "image", used: ctx.world.ownedImageCount(ctx.caller.project.id), quota: ctx.world.state.imageQuota, min: 1, max: 1000 }],
      },
    }),
  ),
  ims("GET", "/v1/{project_id}/jobs/{job_id}", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    return ok(jobView(jobOf(ctx, ctx.params.job_id)));
  }),
  ims("GET", "/v1/cloudimages/job/{job_id}", (ctx) => {
    const job = jobOf(ctx, ctx.params.job_id);
    const view = jobView(job);
    const done = job.status === "SUCCESS" || job.status === "FAIL";
    const span = Math.max(1, job.plan.endAt - job.beginTime);
    const progress = done ? 1 : Math.min(0.99, Math.max(0, (ctx.world.clock.now() - job.beginTime) / span));
    view.entities = { ...(view.entities as object), process_percent: Math.round(progress * 100) / 100, current_task: job.type.replace(/Job$/, "Task"), subJobId: "" };
    return ok(view);
  }),
  ims("PUT", "/v1/cloudimages/tags", (ctx) => {
    putLegacyTag(ctx.world, ctx.caller, ctx.json());
    return ok(undefined, 204);
  }),
  ims("GET", "/v1/cloudimages/tags", (ctx) => ok({ tags: listLegacyTags(ctx.world, ctx.caller, ctx.query) })),
  ims("GET", "/v2/{project_id}/images/tags", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    return ok({ tags: projectTags(ctx.world, ctx.caller) });
  }),
  ims("POST", "/v2/{project_id}/images/resource_instances/action", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    return ok(queryByTags(ctx.world, ctx.caller, ctx.json()));
  }),
  ims("POST", "/v2/{project_id}/images/{image_id}/tags/action", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    batchTags(ctx.world, ctx.caller, ctx.params.image_id, ctx.json());
    return ok(undefined, 204);
  }),
  ims("POST", "/v2/{project_id}/images/{image_id}/tags", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    addTag(ctx.world, ctx.caller, ctx.params.image_id, ctx.json());
    return ok(undefined, 204);
  }),
  ims("GET", "/v2/{project_id}/images/{image_id}/tags", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    return ok({ tags: imageTags(ctx.world, ctx.caller, ctx.params.image_id).map((t) => ({ key: t.key, value: t.value })) });
  }),
  ims("DELETE", "/v2/{project_id}/images/{image_id}/tags/{key}", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    deleteTag(ctx.world, ctx.caller, ctx.params.image_id, ctx.params.key);
    return ok(undefined, 204);
  }),
  ims("DELETE", "/v1/{project_id}/cloudimages/{image_id}/tags/delete", (ctx) => {
    checkPathProject(ctx.caller, ctx.params.project_id);
    batchDeleteTags(ctx.world, ctx.caller, ctx.params.image_id, ctx.json());
    return ok(undefined, 204);
  }),
];
