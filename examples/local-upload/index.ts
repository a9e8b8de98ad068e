// An image uploaded from a local file through the Glance-compatible API: created, streamed,
// checked against the file's MD5, and waited for until active.
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();

const image = new ims.PrivateImage("uploaded", {
  name: "appliance-1.4",
  source: { localFile: config.require("file"), osVersion: "Debian GNU/Linux 12.0.0 64bit", minDisk: 20 },
  description: "Vendor appliance, uploaded from the build machine",
});

export const imageId = image.id;
export const checksum = image.checksum;
export const sizeBytes = image.sizeBytes;
