/**
 * Sharing: the batch member APIs (`/v1/cloudimages/members`, asynchronous) and the
 * Glance-compatible member APIs (`/v2/images/{id}/members`, synchronous), after the IMS API
 * Reference: Image Sharing, its native OpenStack counterpart, Restrictions on Image Sharing.
 */
import { glanceNotFound, img, ImsError } from "./errors";
import { HEX32_PATTERN } from "./ids";
import { asObject, optEnum, optString, optStringArray, reqString } from "./input";
import { startJob } from "./jobs";
import type { Image, Job, Member } from "./model";
import { visibleImage } from "./access";
import { isWholeImage } from "./images";
import type { Caller, World } from "./world";

/** Members per system or data image; full-ECS images take 10. */
export const MAX_MEMBERS = 256;
const MAX_WHOLE_IMAGE_MEMBERS = 10;

/** Checks that the caller may share `image` with `count` more members. */
function checkShareable(caller: Caller, image: Image | undefined, newMembers: number): Image {
  if (!image) throw img("0027");
  if (image.imagetype === "gold") throw img("0089");
  if (image.owner !== caller.project.id) throw img("0047");
  if (image.cmkId) throw img("0098");
  if (image.virtualEnvType === "IsoImage") throw img("0167");
  if (image.origin.kind === "whole-instance" || (image.origin.kind === "whole-backup" && image.origin.backupKind !== "CBR")) {
    throw img("0135");
  }
  if (image.status !== "active") throw img("0046");
  const limit = isWholeImage(image) ? MAX_WHOLE_IMAGE_MEMBERS : MAX_MEMBERS;
  if (image.members.length + newMembers > limit) throw img("0088");
  return image;
}

function checkProjects(world: World, caller: Caller, projects: string[]): void {
  for (const id of projects) {
    if (!HEX32_PATTERN.test(id)) throw img("0067");
    if (id === caller.project.id) throw img("0076");
    const target = world.project(id);
    // IMG.0177 (IMS error codes): the source and target tenants are in different regions.
    if (target && target.region !== caller.project.region) throw img("0177", "Images can be shared only within one region.");
  }
}

function imageIds(fields: Record<string, unknown>): string[] {
  const images = optStringArray(fields, "images");
  if (!images || images.length === 0) throw img("0001", "images must list at least one image ID.");
  return [...new Set(images)];
}

/** `POST /v1/cloudimages/members`: share images with projects (or accounts). */
export function addMembers(world: World, caller: Caller, body: unknown): Job {
  const fields = asObject(body);
  const images = imageIds(fields);
  const projects = [...new Set(optStringArray(fields, "projects") ?? [])];
  const domains = [...new Set(optStringArray(fields, "domains") ?? [])];
  if (projects.length === 0 && domains.length === 0) throw img("0001", "projects must list at least one project ID.");
  checkProjects(world, caller, projects);
  for (const id of images) {
    const image = visibleImage(world, caller, id);
    const fresh = [...projects, ...domains].filter((m) => !image?.members.some((x) => x.memberId === m));
    checkShareable(caller, image, fresh.length);
  }
  const memberIds = [...projects, ...domains];
  return startJob(world, caller, {
    type: "imsAddImageMembersJob",
    effect: { kind: "add-members", imageIds: images, members: memberIds, memberType: domains.length ? "domain" : "project" },
    entities: { results: images.map((image_id) => ({ image_id, status: "success" })) },
  });
}

/** `DELETE /v1/cloudimages/members`: stop sharing. */
export function removeMembers(world: World, caller: Caller, body: unknown): Job {
  const fields = asObject(body);
  const images = imageIds(fields);
  const members = [...new Set([...(optStringArray(fields, "projects") ?? []), ...(optStringArray(fields, "domains") ?? [])])];
  if (members.length === 0) throw img("0001", "projects must list at least one project ID.");
  for (const id of images) {
    const image = visibleImage(world, caller, id);
    if (!image) throw img("0027");
    if (image.owner !== caller.project.id) throw img("0047");
  }
  return startJob(world, caller, {
    type: "imsDelImageMembersJob",
    effect: { kind: "remove-members", imageIds: images, members },
    entities: { results: [] },
  });
}

/** `PUT /v1/cloudimages/members`: the recipient accepts or rejects shared images. */
export function updateMembers(world: World, caller: Caller, body: unknown): Job {
  const fields = asObject(body);
  const images = imageIds(fields);
  const projectId = reqString(fields, "project_id", img("0067"));
  if (projectId !== caller.project.id) throw img("0067", "project_id must be the caller's own project.");
  const status = optEnum(fields, "status", ["accepted", "rejected"] as const, img("0001", "status must be accepted or rejected."));
  if (!status) throw img("0001", "status must be accepted or rejected.");
  const vaultId = optString(fields, "vault_id");
  for (const id of images) {
    const image = visibleImage(world, caller, id);
    if (!image || !image.members.some((m) => m.memberId === projectId)) throw img("0027");
    if (image.origin.kind === "whole-backup" && status === "accepted" && !vaultId) {
      throw img("0001", "vault_id is required to accept a full-ECS image.");
    }
  }
  return startJob(world, caller, {
    type: "imsUpdateImageMembersJob",
    effect: { kind: "update-members", imageIds: images, projectId, status, ...(vaultId ? { vaultId } : {}) },
    entities: { results: images.map((image_id) => ({ image_id, project_id: projectId, status: "success" })) },
  });
}

/** The image of a Glance member call: owner or member may look, strangers get 404. */
function memberImage(world: World, caller: Caller, imageId: string): Image {
  const image = visibleImage(world, caller, imageId);
  if (!image || image.imagetype === "gold") throw glanceNotFound(imageId);
  return image;
}

/** Members the caller may see: all for the owner, its own entry for a member. */
export function listMembers(world: World, caller: Caller, imageId: string): { image: Image; members: Member[] } {
  const image = memberImage(world, caller, imageId);
  const members = image.owner === caller.project.id ? image.members : image.members.filter((m) => m.memberId === caller.project.id);
  return { image, members };
}

export function getMember(world: World, caller: Caller, imageId: string, memberId: string): { image: Image; member: Member } {
  const { image, members } = listMembers(world, caller, imageId);
  const member = members.find((m) => m.memberId === memberId);
  if (!member) throw new ImsError("IMG.0027", `Member ${memberId} not found for image ${imageId}.`, 404);
  return { image, member };
}

/** `POST /v2/images/{image_id}/members`: the owner adds one member, at once. */
export function addMember(world: World, caller: Caller, imageId: string, body: unknown): { image: Image; member: Member } {
  const fields = asObject(body);
  const memberId = reqString(fields, "member", img("0001", "member is required."));
  const image = visibleImage(world, caller, imageId);
  if (!image || (image.imagetype !== "gold" && image.owner !== caller.project.id)) throw glanceNotFound(imageId);
  checkProjects(world, caller, [memberId]);
  if (image.members.some((m) => m.memberId === memberId)) {
    throw new ImsError("IMG.0001", `Member ${memberId} already has access to image ${imageId}.`, 409);
  }
  checkShareable(caller, image, 1);
  const now = world.now();
  const member: Member = { memberId, memberType: "project", status: "pending", createdAt: now, updatedAt: now };
  image.members.push(member);
  world.imageChanged(image);
  return { image, member };
}

/** `PUT /v2/images/{image_id}/members/{member_id}`: only the member sets its own status. */
export function setMemberStatus(world: World, caller: Caller, imageId: string, memberId: string, body: unknown): { image: Image; member: Member } {
  const fields = asObject(body);
  const image = memberImage(world, caller, imageId);
  if (image.owner === caller.project.id) {
    throw new ImsError("IMG.0047", "Only the member can accept or reject a shared image.", 403);
  }
  if (memberId !== caller.project.id) throw new ImsError("IMG.0027", `Member ${memberId} not found for image ${imageId}.`, 404);
  const member = image.members.find((m) => m.memberId === memberId);
  if (!member) throw glanceNotFound(imageId);
  const status = optEnum(fields, "status", ["accepted", "rejected", "pending"] as const, img("0001", "status must be accepted or rejected."));
  if (!status) throw img("0001", "status must be accepted or rejected.");
  // Read every field before changing anything: a rejected request changes nothing.
  const vaultId = optString(fields, "vault_id");
  member.status = status;
  member.updatedAt = world.now();
  if (vaultId) member.vaultId = vaultId;
  world.imageChanged(image);
  return { image, member };
}

/** `DELETE /v2/images/{image_id}/members/{member_id}`: the owner removes a member. */
export function deleteMember(world: World, caller: Caller, imageId: string, memberId: string): void {
  const image = memberImage(world, caller, imageId);
  if (image.owner !== caller.project.id) throw new ImsError("IMG.0047", "Only the image owner can remove members.", 403);
  if (!image.members.some((m) => m.memberId === memberId)) {
    throw new ImsError("IMG.0027", `Member ${memberId} not found for image ${imageId}.`, 404);
  }
  image.members = image.members.filter((m) => m.memberId !== memberId);
  world.imageChanged(image);
}
