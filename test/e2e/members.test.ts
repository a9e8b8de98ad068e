/**
 * ImageMember with the real Pulumi CLI, pulumi-ims installed from its npm tarball, against
 * ims-emulator: an image shared with a second project and accepted there with that project's own
 * credentials (a profile whose secret key comes from the environment); the member project then
 * rejects it outside Pulumi, refresh shows it, up accepts again; destroy leaves no member.
 */
import type { Image } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { diffOf, initEmulatorStack, PulumiWorkspace, installPackedProject, type StateResource } from "../helpers/pulumi-cli";

jest.setTimeout(180_000);

const MEMBER = "pulumi-nodejs:dynamic/ims:ImageMember";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as ims from "pulumi-ims";

const config = new pulumi.Config("e2e");
const base = new ims.PrivateImage("base", {
  name: "e2e-shared-base",
  source: { imageUrl: "images-bucket:ubuntu-24.04.qcow2", osVersion: "Ubuntu 24.04 server 64bit", minDisk: 40 },
});
const share = new ims.ImageMember("to-analytics", {
  imageId: base.id,
  projectId: config.require("analyticsProjectId"),
  consumer: { profile: "analytics" },
});

export const imageId = base.id;
export const memberStatus = share.status;
export const seenByAnalytics = share.sharedImage;
`;


describe("ImageMember: share, accept, drift, destroy", () => {
  const ws = new PulumiWorkspace("e2e-members");
  let emu: TestEmulator;
  let env: Record<string, string>;
  let analyticsSecret = "";
  let imageId = "";

  const pulumi = (args: string[]) => ws.pulumi([...args, "--stack", "share"], { env });
  const pulumiResult = (args: string[]) => ws.pulumiResult([...args, "--stack", "share"], { env });
  const members = (): Image["members"] => emu.world.state.images.find((i) => i.id === imageId)?.members ?? [];
  const memberState = async (): Promise<StateResource | undefined> => {
    const text = await pulumi(["stack", "export"]);
    expect(text).not.toContain(analyticsSecret);
    return (JSON.parse(text) as { deployment: { resources?: StateResource[] } }).deployment.resources?.find((r) => r.type === MEMBER);
  };

  beforeAll(async () => {
    await installPackedProject(ws, "e2e-members", PROGRAM);
    emu = await startTestEmulator({ jobMs: 300 });
    const main = emu.accessKey("ap-southeast-1");
    const analytics = emu.accessKey("ap-southeast-1_analytics");
    analyticsSecret = analytics.secret;
    // The member project's secret key reaches the provider from the environment only.
    env = { HW_ACCESS_KEY: main.access, HW_SECRET_KEY: main.secret, IMS_PROFILE_ANALYTICS_SECRET_KEY: analytics.secret };
    await initEmulatorStack(ws, "share", emu.url, main);
    await pulumi(["config", "set", "e2e:analyticsProjectId", emu.projectId("ap-southeast-1_analytics")]);
    await pulumi(["config", "set", "--path", "ims:profiles.analytics.accessKey", analytics.access]);
    await pulumi(["config", "set", "--path", "ims:profiles.analytics.projectId", emu.projectId("ap-southeast-1_analytics")]);
  }, 240_000);

  afterAll(async () => {
    await emu?.close();
    ws.cleanup();
  });

  it("up shares the image and the member project accepts it; the image is listed there", async () => {
    await pulumi(["up", "--yes"]);
    const outputs = JSON.parse(await pulumi(["stack", "output", "--json"])) as { imageId: string; memberStatus: string; seenByAnalytics: { imageType: string } };
    imageId = outputs.imageId;
    expect(outputs.memberStatus).toBe("accepted");
    expect(outputs.seenByAnalytics).toMatchObject({ id: imageId, imageType: "shared", status: "active" });
    expect(members()).toEqual([expect.objectContaining({ memberId: emu.projectId("ap-southeast-1_analytics"), status: "accepted" })]);

    const listed = await emu.as<{ images: { id: string; __imagetype: string }[] }>("ap-southeast-1_analytics", "GET", "/v2/cloudimages");
    expect(listed.body.images.find((i) => i.id === imageId)).toMatchObject({ __imagetype: "shared" });
    expect((await memberState())?.id).toBe(`${imageId}/${emu.projectId("ap-southeast-1_analytics")}`);
    expect(await pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("a rejection outside Pulumi shows on refresh", async () => {
    const res = await emu.as("ap-southeast-1_analytics", "PUT", `/v2/images/${imageId}/members/${emu.projectId("ap-southeast-1_analytics")}`, {
      body: { status: "rejected" },
    });
    expect(res.status).toBe(200);
    const refresh = await pulumi(["refresh", "--yes"]);
    expect(diffOf(refresh, "to-analytics", "updated")).toBe("~consumer");
    const state = await memberState();
    expect(state?.outputs).toMatchObject({ status: "rejected" });
    expect(state?.inputs).toMatchObject({ consumer: { profile: "analytics", status: "rejected" } });
  });

  it("up accepts again, and then previews no changes", async () => {
    const up = await pulumi(["up", "--yes"]);
    expect(diffOf(up, "to-analytics", "updated")).toBe("~consumer");
    expect(members()).toEqual([expect.objectContaining({ status: "accepted" })]);
    expect((await memberState())?.outputs).toMatchObject({ status: "accepted" });
    expect(await pulumiResult(["preview", "--expect-no-changes"])).toMatchObject({ code: 0 });
  });

  it("destroy removes the member, then the image", async () => {
    await pulumi(["destroy", "--yes"]);
    expect(emu.world.state.images.filter((i) => i.imagetype === "private")).toEqual([]);
    expect(emu.world.state.images.flatMap((i) => i.members)).toEqual([]);
    for (const t of ws.transcript) expect(`${t.stdout}\n${t.stderr}`).not.toContain(analyticsSecret);
  });
});
