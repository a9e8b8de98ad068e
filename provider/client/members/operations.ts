/**
 * Sharing (Huawei Cloud IMS API reference, "Image Sharing": ims_03_0624 and the pages after it;
 * member queries ims_03_0723 and ims_03_0660; the Glance-compatible member APIs under "Image
 * Sharing (Native OpenStack API)").
 */
import { z } from "zod";
import { op, type OperationSpec } from "../core/client";
import { JobRefSchema } from "../jobs/operations";

export const MemberSchema = z.looseObject({
  status: z.enum(["pending", "accepted", "rejected"]),
  image_id: z.string(),
  member_id: z.string(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  member_type: z.string().optional(),
});
export type Member = z.infer<typeof MemberSchema>;

const MemberPageSchema = z.looseObject({
  members: z.array(MemberSchema),
  page_info: z.looseObject({ next_marker: z.string().optional(), current_count: z.number().optional() }).optional(),
});

export const memberOperations = {
  addMembers: op({ name: "addMembers", method: "POST", path: "/v1/cloudimages/members", expect: [200], idempotent: false, response: JobRefSchema }),
  removeMembers: op({ name: "removeMembers", method: "DELETE", path: "/v1/cloudimages/members", expect: [200], idempotent: true, response: JobRefSchema }),
  updateMembers: op({ name: "updateMembers", method: "PUT", path: "/v1/cloudimages/members", expect: [200], idempotent: true, response: JobRefSchema }),
  listMembers: op({ name: "listMembers", method: "GET", path: "/v1/{project_id}/cloudimages/{image_id}/members", expect: [200], idempotent: true, response: MemberPageSchema }),
  getMember: op({ name: "getMember", method: "GET", path: "/v1/{project_id}/cloudimages/{image_id}/members/{member_id}", expect: [200], idempotent: true, response: MemberSchema }),
  glanceAddMember: op({ name: "glanceAddMember", method: "POST", path: "/v2/images/{image_id}/members", expect: [200], idempotent: false, response: MemberSchema }),
  glanceListMembers: op({ name: "glanceListMembers", method: "GET", path: "/v2/images/{image_id}/members", expect: [200], idempotent: true, response: z.looseObject({ members: z.array(MemberSchema) }) }),
  glanceGetMember: op({ name: "glanceGetMember", method: "GET", path: "/v2/images/{image_id}/members/{member_id}", expect: [200], idempotent: true, response: MemberSchema }),
  glanceUpdateMember: op({ name: "glanceUpdateMember", method: "PUT", path: "/v2/images/{image_id}/members/{member_id}", expect: [200], idempotent: true, response: MemberSchema }),
  glanceDeleteMember: op({ name: "glanceDeleteMember", method: "DELETE", path: "/v2/images/{image_id}/members/{member_id}", expect: [204], idempotent: true }),
} satisfies Record<string, OperationSpec<unknown>>;
