// A system-disk image imported from an image file in OBS, shared settings from stack config:
//   pulumi config set ims:region ap-southeast-1
//   export HW_ACCESS_KEY=… HW_SECRET_KEY=…
import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config();

const image = new ims.PrivateImage("ubuntu-golden", {
  name: "ubuntu-24.04-golden",
  description: "Ubuntu 24.04 base image for the web tier",
  source: {
    imageUrl: config.get("imageUrl") ?? "images-bucket:ubuntu-24.04.qcow2",
    osVersion: "Ubuntu 24.04 server 64bit",
    minDisk: 40,
    isConfig: true,
  },
  minRam: 2048,
  tags: { team: "platform", os: "ubuntu" },
  timeouts: { create: "45m" },
});

export const imageId = image.id;
export const status = image.status;
export const checksum = image.checksum;
