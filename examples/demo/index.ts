// The demo stack of `make demo`: a system-disk image and a data-disk image made from image files in
// the object store of ims-emulator (or of a real cloud: set ims:region and credentials instead);
// the system image shared with a second project and accepted there, and copied to a second region.
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();

const golden = new ims.PrivateImage("ubuntu-golden", {
  name: "ubuntu-24.04-golden",
  description: "Golden base image, imported from OBS",
  source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
  minRam: 1024,
  tags: { team: "platform", purpose: "demo" },
});

const logs = new ims.DataImage("logs-disk", {
  name: "logs-data-disk",
  source: { imageUrl: "images-bucket:data-disk.vhd", minDisk: 40 },
  tags: { team: "platform" },
});

// The member project accepts the share with its own credentials (the `analytics` profile).
const share = new ims.ImageMember("golden-to-analytics", {
  imageId: golden.id,
  projectId: config.require("analyticsProjectId"),
  consumer: { profile: "analytics" },
});

const dr = new ims.ImageCopy("golden-dr", {
  sourceImageId: golden.id,
  name: "ubuntu-24.04-golden",
  targetRegion: "ap-southeast-3",
  agencyName: "ims_admin_agency",
  tags: { team: "platform", copy: "dr" },
});

export const privateImage = {
  id: golden.id,
  status: golden.status,
  diskFormat: golden.diskFormat,
  osVersion: golden.osVersion,
  platform: golden.platform,
  minDisk: golden.minDisk,
  sizeBytes: golden.sizeBytes,
  checksum: golden.checksum,
};
export const dataImage = {
  id: logs.id,
  status: logs.status,
  diskFormat: logs.diskFormat,
  virtualEnvType: logs.virtualEnvType,
  minDisk: logs.minDisk,
};
export const sharedWithAnalytics = {
  id: share.id,
  status: share.status,
  seenByAnalytics: share.sharedImage,
};
export const drCopy = {
  id: dr.id,
  region: dr.imageRegion,
  projectId: dr.projectId,
  status: dr.status,
};
