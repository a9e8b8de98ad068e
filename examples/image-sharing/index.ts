// A golden image shared with a second project, and accepted there with that project's own
// credentials (see README.md for the configuration).
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();

const golden = new ims.PrivateImage("golden", {
  name: "ubuntu-24.04-golden",
  source: { imageUrl: config.get("imageUrl") ?? "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
  tags: { team: "platform" },
});

// The member project accepts with the credentials of the `analytics` profile (ims:profiles).
const toAnalytics = new ims.ImageMember("to-analytics", {
  imageId: golden.id,
  projectId: config.require("analyticsProjectId"),
  consumer: { profile: "analytics" },
});

// A project that answers the share itself: its answer is only read.
const auditProjectId = config.get("auditProjectId");
const toAudit = auditProjectId ? new ims.ImageMember("to-audit", { imageId: golden.id, projectId: auditProjectId }) : undefined;

export const imageId = golden.id;
export const analyticsStatus = toAnalytics.status;
export const analyticsView = toAnalytics.sharedImage;
export const auditStatus = toAudit?.status;
