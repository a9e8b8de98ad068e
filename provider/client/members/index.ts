/** Sharing images with other projects, and accepting or rejecting shares as the recipient. */
import type { ApiClient } from "../core/client";
import { ImsApiError } from "../core/errors";
import type { JobRef } from "../jobs/operations";
import { memberOperations as ops, type Member } from "./operations";

export { memberOperations, type Member } from "./operations";

/** A 404, or the extension APIs' "image not found" (IMG.0027, answered with 400 or 404). */
const isNotFound = (error: unknown): boolean => error instanceof ImsApiError && (error.status === 404 || error.code === "IMG.0027");

export class MembersApi {
  constructor(private readonly api: ApiClient) {}

  /** Shares images with projects (asynchronous: a job). */
  async add(imageIds: string[], projectIds: string[]): Promise<JobRef> {
    return (await this.api.call(ops.addMembers, { body: { images: imageIds, projects: projectIds } })).body;
  }

  /** Stops sharing (asynchronous). */
  async remove(imageIds: string[], projectIds: string[]): Promise<JobRef> {
    return (await this.api.call(ops.removeMembers, { body: { images: imageIds, projects: projectIds } })).body;
  }

  /** The recipient accepts or rejects shared images (asynchronous); `projectId` is the caller's. */
  async setStatus(imageIds: string[], projectId: string, status: "accepted" | "rejected", vaultId?: string): Promise<JobRef> {
    const body = { images: imageIds, project_id: projectId, status, ...(vaultId ? { vault_id: vaultId } : {}) };
    return (await this.api.call(ops.updateMembers, { body })).body;
  }

  /**
   * Every member of an image (owner's view), following page markers. Where the member query API is
   * not served (G42 Cloud and Open Telekom Cloud have no `/v1/{project_id}/cloudimages/{id}/members`),
   * the Glance-compatible list answers instead.
   */
  async list(imageId: string): Promise<Member[]> {
    const all: Member[] = [];
    let marker: string | undefined;
    for (;;) {
      let res;
      try {
        res = await this.api.call(ops.listMembers, { params: { image_id: imageId }, query: { limit: 100, marker } });
      } catch (error) {
        if (marker === undefined && error instanceof ImsApiError && error.code === "APIGW.0101") return this.glanceList(imageId);
        throw error;
      }
      all.push(...res.body.members);
      marker = res.body.page_info?.next_marker;
      if (!marker || res.body.members.length === 0) return all;
    }
  }

  /**
   * One member (the owner sees every member, a member its own entry), or undefined when the project
   * is not a member or the image is not visible. Where the member query API is not served, the
   * Glance-compatible one answers instead.
   */
  async get(imageId: string, memberId: string): Promise<Member | undefined> {
    try {
      return (await this.api.call(ops.getMember, { params: { image_id: imageId, member_id: memberId } })).body;
    } catch (error) {
      if (error instanceof ImsApiError && error.code === "APIGW.0101") return this.glanceFind(imageId, memberId);
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** `GET /v2/images/{id}/members/{member}`, undefined when not found. */
  async glanceFind(imageId: string, memberId: string): Promise<Member | undefined> {
    try {
      return await this.glanceGet(imageId, memberId);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Glance-compatible, synchronous: add one member (pending). */
  async glanceAdd(imageId: string, memberId: string): Promise<Member> {
    return (await this.api.call(ops.glanceAddMember, { params: { image_id: imageId }, body: { member: memberId } })).body;
  }

  async glanceList(imageId: string): Promise<Member[]> {
    return (await this.api.call(ops.glanceListMembers, { params: { image_id: imageId } })).body.members;
  }

  async glanceGet(imageId: string, memberId: string): Promise<Member> {
    return (await this.api.call(ops.glanceGetMember, { params: { image_id: imageId, member_id: memberId } })).body;
  }

  /** The member (the caller's own project) accepts or rejects, at once; `vaultId` for a full-ECS image. */
  async glanceSetStatus(imageId: string, memberId: string, status: "accepted" | "rejected", vaultId?: string): Promise<Member> {
    const body = { status, ...(vaultId ? { vault_id: vaultId } : {}) };
    return (await this.api.call(ops.glanceUpdateMember, { params: { image_id: imageId, member_id: memberId }, body })).body;
  }

  async glanceRemove(imageId: string, memberId: string): Promise<void> {
    await this.api.call(ops.glanceDeleteMember, { params: { image_id: imageId, member_id: memberId } });
  }
}
