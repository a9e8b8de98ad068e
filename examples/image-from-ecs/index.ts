// A system-disk image of an ECS server (stopped or running), and a full-ECS image of the same
// server through its CBR backup.
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();
const serverId = config.require("serverId");

const systemImage = new ims.PrivateImage("web-system", {
  name: "web-01-system",
  source: { instanceId: serverId },
  tags: { source: "web-01" },
});

const backupId = config.get("backupId");
const fullImage = backupId
  ? new ims.PrivateImage("web-full", { name: "web-01-full", source: { backupId, backupType: "CBR" } })
  : undefined;

export const systemImageId = systemImage.id;
export const systemImageOs = systemImage.osVersion;
export const fullImageId = fullImage?.id;
