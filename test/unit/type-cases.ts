/**
 * Programs a user may write with pulumi-ims, and whether they must type-check. In a program that must
 * fail, the line marked `// error` is where the compiler must report it (and nowhere else).
 */

export interface TypeCase {
  name: string;
  /** Whether it compiles with exactOptionalPropertyTypes, and without. */
  compiles: { exact: boolean; loose: boolean };
  code: string;
}

const ok = (name: string, code: string): TypeCase => ({ name, compiles: { exact: true, loose: true }, code });
const fails = (name: string, code: string): TypeCase => ({ name, compiles: { exact: false, loose: false }, code });
/** Fails only with exactOptionalPropertyTypes: without it, `undefined` is no value (the provider never sees it). */
const failsWhenExact = (name: string, code: string): TypeCase => ({ name, compiles: { exact: false, loose: true }, code });

export const TYPE_CASES: TypeCase[] = [
  ok("private-obs-file", `new ims.PrivateImage("a", { name: "ubuntu", source: { imageUrl: "images:ubuntu.qcow2", minDisk: 40 } });`),
  ok(
    "private-obs-file-every-option",
    `new ims.PrivateImage("a", {
      source: { imageUrl: "images:u.qcow2", minDisk: 40, osVersion: "Ubuntu 24.04 server 64bit", osType: "Linux", isConfig: true,
        cmkId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", type: "BMS", architecture: "arm", firmware: "uefi", quickImport: false },
    });`,
  ),
  ok("private-iso-file", `new ims.PrivateImage("a", { source: { imageUrl: "images:u.iso", minDisk: 40, type: "IsoImage", osVersion: "Ubuntu 24.04 server 64bit" } });`),
  ok(
    "private-quick-import",
    `new ims.PrivateImage("a", { name: "w", source: { imageUrl: "images:w.raw", minDisk: 100, osVersion: "Windows Server 2022 64bit", quickImport: true, licenseType: "byol", type: "ECS", architecture: "x86", firmware: "bios" } });`,
  ),
  ok("private-local-file", `new ims.PrivateImage("a", { source: { localFile: "./out/disk.qcow2", minDisk: 20, osVersion: "Debian GNU/Linux 12.0.0 64bit" } });`),
  ok("private-local-file-named", `new ims.PrivateImage("a", { name: "debian", source: { localFile: "./out/disk.qcow2", minDisk: 20 } });`),
  ok("private-ecs-server", `new ims.PrivateImage("a", { source: { instanceId: "i-1" } }); new ims.PrivateImage("b", { name: "b", source: { instanceId: "i-1", wholeImage: false } });`),
  ok("private-full-ecs", `new ims.PrivateImage("a", { name: "full", source: { instanceId: "i-1", wholeImage: true, vaultId: "v-1" } });`),
  ok("private-evs-volume", `new ims.PrivateImage("a", { source: { volumeId: "v-1", osVersion: "Ubuntu 24.04 server 64bit", type: "BMS" } });`),
  ok("private-backup", `new ims.PrivateImage("a", { source: { backupId: "b-1" } }); new ims.PrivateImage("b", { name: "b", source: { backupId: "b-1", backupType: "CSBS" } });`),
  ok("data-obs-file", `new ims.DataImage("a", { name: "logs", source: { imageUrl: "images:d.vhd", minDisk: 100, osType: "Windows", cmkId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9" } });`),
  ok("data-quick-import", `new ims.DataImage("a", { source: { imageUrl: "images:d.raw", minDisk: 10, quickImport: true, osType: "Linux" } });`),
  ok(
    "private-obs-file-with-data-disks",
    `const img = new ims.PrivateImage("a", { enterpriseProjectId: "0", keepDataImages: true, source: { imageUrl: "images:sys.qcow2", minDisk: 40,
      dataDisks: [{ imageUrl: "images:data.qcow2", minDisk: 100, name: "db-data", tags: { disk: "data" } }, { imageUrl: "images:logs.vhd", minDisk: 50 }] } });
    const first: pulumi.Output<string | undefined> = img.dataImages.apply((d) => d?.[0]?.id);
    const eps: pulumi.Output<string | undefined> = img.enterpriseProjectId;`,
  ),
  ok("private-registered-file", `new ims.PrivateImage("a", { source: { imageUrl: "images:u.vmdk", register: true, minDisk: 40, osVersion: "Ubuntu 24.04 server 64bit" } });`),
  fails(
    "registered-file-takes-no-import-fields",
    `new ims.PrivateImage("a", { source: { imageUrl: "images:u.vmdk", register: true, minDisk: 40, osType: "Linux" } }); // error`,
  ),
  fails(
    "data-disks-not-with-a-quick-import",
    `new ims.PrivateImage("a", { source: { imageUrl: "images:u.raw", minDisk: 40, osVersion: "Ubuntu 24.04 server 64bit", quickImport: true, dataDisks: [] } }); // error`,
  ),
  fails("data-disks-need-min-disk", `new ims.PrivateImage("a", { source: { imageUrl: "images:u.qcow2", minDisk: 40, dataDisks: [{ imageUrl: "images:d.qcow2" }] } }); // error`),
  fails("data-image-takes-no-data-disks", `new ims.DataImage("a", { source: { imageUrl: "images:d.vhd", minDisk: 40, dataDisks: [] } }); // error`),
  fails("data-image-does-not-register", `new ims.DataImage("a", { source: { imageUrl: "images:d.vhd", minDisk: 40, register: true } }); // error`),
  ok("data-volume", `new ims.DataImage("a", { source: { volumeId: "v-1" } }); new ims.DataImage("b", { name: "b", source: { volumeId: "v-1" } });`),
  ok(
    "inputs-given-as-outputs",
    `const base = new ims.PrivateImage("base", { source: { imageUrl: pulumi.output("images:u.qcow2"), minDisk: pulumi.output(40) }, name: pulumi.output("base") });
    new ims.PrivateImage("from-output", { source: pulumi.output({ volumeId: "v-1", osVersion: "Ubuntu 24.04 server 64bit" }), tags: { team: base.name } });
    new ims.PrivateImage("full", { source: { instanceId: base.id, wholeImage: pulumi.output(true as const) }, timeouts: pulumi.output({ create: "1h" }) });
    new ims.DataImage("data", { source: { imageUrl: base.name.apply((n) => "images:" + n), minDisk: base.minDisk }, region: base.imageRegion });`,
  ),
  ok(
    "a-source-chosen-at-run-time",
    `const src: ims.PrivateImageSource = Math.random() > 0.5 ? { backupId: "b-1" } : { imageUrl: "images:u.qcow2", minDisk: 40 };
    new ims.PrivateImage("a", { source: src });`,
  ),
  ok(
    "image-member",
    `const base = new ims.PrivateImage("base", { source: { instanceId: "i-1" } });
    const m = new ims.ImageMember("to-analytics", { imageId: base.id, projectId: pulumi.output("574ec11e28b9a30985bb25b7b8aac298"),
      consumer: { profile: "analytics", status: "rejected" }, timeouts: { create: "1h", delete: 600 } });
    const s: pulumi.Output<string> = m.status;
    const p: pulumi.Output<string | undefined> = m.profile;
    ims.ImageMember.get("m", "i/p", { region: "ap-southeast-3" });
    export { s, p };`,
  ),
  ok(
    "image-copy",
    `const base = new ims.PrivateImage("base", { source: { instanceId: "i-1" } });
    const dr = new ims.ImageCopy("dr", { sourceImageId: base.id, targetRegion: "ap-southeast-3", agencyName: "ims_admin_agency", tags: { copy: "dr" } });
    new ims.ImageCopy("enc", { sourceImageId: base.id, name: "enc", cmkId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", minRam: 1024 });
    const t: pulumi.Output<string | undefined> = dr.targetRegion;
    export { t };`,
  ),
  ok(
    "image-export",
    `const base = new ims.PrivateImage("base", { source: { instanceId: "i-1" } });
    const e = new ims.ImageExport("web", { imageId: base.id, bucketUrl: pulumi.interpolate\`images-bucket:exports/web-\${base.id}.qcow2\`, fileFormat: "qcow2" });
    new ims.ImageExport("big", { imageId: base.id, bucketUrl: "images-bucket:big.zvhd2", quickExport: true, region: "ap-southeast-1", timeouts: { create: "3h" } });
    new ims.ImageExport("vmdk", { imageId: base.id, bucketUrl: "images-bucket:web.vmdk", fileFormat: "vmdk", quickExport: false });
    const f: pulumi.Output<string> = e.exportedFormat;
    const j: pulumi.Output<string | undefined> = e.jobId;
    export { f, j };`,
  ),
  ok(
    "outputs-of-an-image",
    `const image = new ims.PrivateImage("a", { source: { imageUrl: "images:u.qcow2", minDisk: 40 } });
    const url: pulumi.Output<string | undefined> = image.source.apply((s) => s?.imageUrl);
    const region: pulumi.Output<string | undefined> = image.region;
    const create = image.timeouts.apply((t) => t?.create);
    export { url, region, create };`,
  ),
  ok("probe", `import { Probe } from "pulumi-ims/testing";\nnew Probe("p", { message: pulumi.output("hello") });`),

  fails("an-empty-source", `new ims.PrivateImage("a", { source: {} }); // error`),
  fails("two-selectors", `new ims.PrivateImage("a", { source: { imageUrl: "images:u.qcow2", minDisk: 40, volumeId: "v-1", osVersion: "Ubuntu 24.04 server 64bit" } }); // error`),
  failsWhenExact("a-second-selector-undefined", `new ims.PrivateImage("a", { source: { imageUrl: "images:u.qcow2", minDisk: 40, volumeId: undefined } }); // error`),
  fails("an-obs-file-without-minDisk", `new ims.PrivateImage("a", { source: { imageUrl: "images:u.qcow2" } }); // error`),
  fails("a-data-image-from-a-server", `new ims.DataImage("a", { source: { instanceId: "i-1" } }); // error`),
  fails("a-full-ecs-with-a-backup", `new ims.PrivateImage("a", { source: { backupId: "b-1", wholeImage: true } }); // error`),
  fails("a-volume-without-osVersion", `new ims.PrivateImage("a", { source: { volumeId: "v-1" } }); // error`),
  fails("an-iso-file-without-osVersion", `new ims.PrivateImage("a", { source: { imageUrl: "images:u.iso", minDisk: 40, type: "IsoImage" } }); // error`),
  fails("a-licence-without-quick-import", `new ims.PrivateImage("a", { source: { imageUrl: "images:w.raw", minDisk: 40, licenseType: "byol" } }); // error`),
  fails("a-key-with-quick-import", `new ims.DataImage("a", { source: { imageUrl: "images:d.raw", minDisk: 40, quickImport: true, cmkId: "k" } }); // error`),
  fails("an-os-for-a-data-volume", `new ims.DataImage("a", { source: { volumeId: "v-1", osVersion: "Ubuntu 24.04 server 64bit" } }); // error`),
  fails(
    "a-field-of-another-kind-in-a-variable",
    `const s = { imageUrl: "images:u.qcow2", minDisk: 40, backupType: "CBR" as const };
    new ims.PrivateImage("a", { source: s }); // error`,
  ),
  fails("an-export-format-with-a-quick-export", `new ims.ImageExport("e", { imageId: "i", bucketUrl: "b:f", quickExport: true, fileFormat: "qcow2" }); // error`),
  fails("an-export-without-a-format", `new ims.ImageExport("e", { imageId: "i", bucketUrl: "b:f" }); // error`),
  fails("an-export-format-it-does-not-write", `new ims.ImageExport("e", { imageId: "i", bucketUrl: "b:f", fileFormat: "zvhd2" }); // error`),
  fails("a-consumer-without-profile", `new ims.ImageMember("m", { imageId: "i", projectId: "p", consumer: { status: "accepted" } }); // error`),
  ok(
    "image-pipeline",
    `const p = new ims.ImagePipeline("golden", { name: "ubuntu-golden", builds: [{ version: "2026-12-01", source: { imageUrl: "images:u.qcow2", minDisk: 40 } }],
      regions: ["ap-southeast-3"], agencyName: "ims_admin_agency", tags: { team: "platform" },
      consumers: [{ name: "analytics", projectId: "574ec11e28b9a30985bb25b7b8aac298", profile: "analytics", pin: "2026-12-01" }] });
    new ims.ImagePipeline("single", { region: "ap-southeast-1", source: pulumi.output({ backupId: "b-1" }), timeouts: { create: "2h" } });
    const latest: pulumi.Output<string> = p.regions.apply((r) => r["ap-southeast-3"].latest);
    const version: pulumi.Output<string> = p.consumers.apply((c) => c.analytics.version);
    const image: ims.PrivateImage = p.images["2026-12-01"];
    export { latest, version, image };`,
  ),
  fails("a-pipeline-with-builds-and-source", `new ims.ImagePipeline("p", { builds: [], source: { backupId: "b-1" } }); // error`),
  fails("a-pipeline-consumer-project-as-an-output", `new ims.ImagePipeline("p", { source: { backupId: "b-1" }, consumers: [{ name: "a", projectId: pulumi.output("p") }] }); // error`),
];
