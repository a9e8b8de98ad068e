/**
 * What an ImagePipeline asks of the providers, through their handlers, in the order the engine runs
 * a rollout: a build's image at home, its copy in the other region (owned by that region's default
 * project), the copy shared with a project of that region and accepted with a profile that names
 * the region; then a second build made beside it, and the first build's share, copy and image
 * deleted last — the consumer holding an image throughout.
 */
import { imageCopyProvider } from "../../provider/copies/lifecycle";
import type { CopyInputs, CopyOutputs } from "../../provider/copies/schema";
import { imageMemberProvider } from "../../provider/members/lifecycle";
import type { MemberInputs, MemberOutputs } from "../../provider/members/schema";
import type { TestEmulator } from "../helpers/emulator";
import { addProjects, usableImages, type TestProject } from "../helpers/pipeline";
import { configureFor, createWith, driver, MAIN, privateImages, providerEmulator, QCOW2, rejection, shutdown, UBUNTU } from "./support";

const DR = "ap-southeast-3";

let emu: TestEmulator;
let consumer: TestProject;

const copies = driver<CopyInputs, CopyOutputs>(imageCopyProvider);
const members = driver<MemberInputs, MemberOutputs>(imageMemberProvider);

/** The provider's configuration: the main project's key, and the consumer's profile (with `region`, or without). */
const configure = (profileRegion: string | undefined) =>
  configureFor(emu, emu.url, {
    "ims:profiles": JSON.stringify({ dr: { accessKey: consumer.access, secretKey: consumer.secret, projectId: consumer.id, ...(profileRegion ? { region: profileRegion } : {}) } }),
  });

/** One build as the pipeline declares it: the image at home, its copy in DR, the copy shared with the consumer there. */
async function build(version: string) {
  const image = await createWith(privateImages, { name: `golden-${version}`, source: { imageUrl: QCOW2, osVersion: UBUNTU, minDisk: 40 }, region: MAIN });
  const copy = await copies.create({ name: `golden-${version}`, sourceImageId: image.id, region: MAIN, targetRegion: DR, agencyName: "ims_admin_agency" });
  const member = await members.create({ imageId: copy.id, projectId: consumer.id, region: DR, consumer: { profile: "dr" } });
  return { image, copy, member };
}

beforeAll(async () => {
  emu = await providerEmulator(100);
  [consumer] = await addProjects(emu, [{ name: `${DR}_dr`, region: DR }]);
  await configure(DR);
});

afterAll(async () => {
  await shutdown(emu);
});

it("a build's copy is shared with a project of its region and accepted there; a second build comes and the first goes, the consumer never without an image", async () => {
  const first = await build("v1");
  expect(first.copy.outs).toMatchObject({ imageRegion: DR, projectId: emu.projectId(DR), sourceRegion: MAIN });
  expect(first.member.outs).toMatchObject({ imageRegion: DR, ownerProjectId: emu.projectId(DR), status: "accepted", sharedImage: { id: first.copy.id, imageType: "shared" } });
  const listed = await emu.as<{ images: { id: string }[] }>(consumer.name, "GET", "/v2/cloudimages?__imagetype=shared");
  expect(listed.body.images.map((i) => i.id)).toEqual([first.copy.id]);

  const second = await build("v2");
  expect(usableImages(emu, consumer.id)).toEqual([first.copy.id, second.copy.id].sort());
  // The end of the update: what is no longer declared, dependents first.
  await imageMemberProvider.delete(first.member.id, first.member.outs);
  expect(usableImages(emu, consumer.id)).toEqual([second.copy.id]);
  await imageCopyProvider.delete(first.copy.id, first.copy.outs);
  await privateImages.delete(first.image.id, first.image.outs);
  expect(emu.world.state.images.filter((i) => i.imagetype === "private" && i.status === "active").map((i) => i.id).sort()).toEqual([second.image.id, second.copy.id].sort());
  expect(usableImages(emu, consumer.id)).toEqual([second.copy.id]);
});

it("a consumer profile that names no region acts in the copy region as that region's default project: the share is refused, naming the profile", async () => {
  await configure(undefined);
  try {
    const image = await createWith(privateImages, { name: "golden-noregion", source: { imageUrl: QCOW2, osVersion: UBUNTU, minDisk: 40 }, region: MAIN });
    const copy = await copies.create({ name: "golden-noregion", sourceImageId: image.id, region: MAIN, targetRegion: DR, agencyName: "ims_admin_agency" });
    const error = await rejection(emu, members.create({ imageId: copy.id, projectId: consumer.id, region: DR, consumer: { profile: "dr" } }));
    expect(error.message).toMatch(new RegExp(`consumer\\.profile "dr" acts as project ${emu.projectId(DR)} in ${DR}, not as the member project ${consumer.id}`));
    expect(usableImages(emu, consumer.id).includes(copy.id)).toBe(false);
  } finally {
    await configure(DR);
  }
});
