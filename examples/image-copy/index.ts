// A golden image copied within its region (encrypted there, if a KMS key is given) and to a
// disaster-recovery region (see README.md for the configuration).
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();

const golden = new ims.PrivateImage("golden", {
  name: "ubuntu-24.04-golden",
  source: { imageUrl: config.get("imageUrl") ?? "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
});

const cmkId = config.get("cmkId");
const local = new ims.ImageCopy("golden-local", {
  sourceImageId: golden.id,
  name: "ubuntu-24.04-golden-copy",
  ...(cmkId ? { cmkId } : {}),
  tags: { copy: "local" },
});

const dr = new ims.ImageCopy("golden-dr", {
  sourceImageId: golden.id,
  name: "ubuntu-24.04-golden",
  targetRegion: config.get("drRegion") ?? "ap-southeast-3",
  agencyName: config.get("agencyName") ?? "ims_admin_agency",
  minRam: 1024,
  tags: { copy: "dr" },
  timeouts: { create: "90m" },
});

export const localCopyId = local.id;
export const drCopy = { id: dr.id, region: dr.imageRegion, project: dr.projectId };
