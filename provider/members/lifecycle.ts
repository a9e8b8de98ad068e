/**
 * How an ImageMember converges: the owner shares the image with the member project (batched
 * member jobs), the member project accepts or rejects it with its own credentials, and `read`
 * reads the membership back from the owner's side, so that a share rejected or removed outside
 * shows on refresh and the next `up` restores it.
 */
import { ImsApiError, type Image, type ImsClient, type Member } from "../client";
import {
  changedInputs,
  clean,
  clientOf,
  describeError,
  explainCode,
  inputsOf,
  isUnknown,
  movesRegion,
  ResourceInitError,
  same,
  timeoutsOf,
  warn,
  withDeadline,
  type Raw,
} from "../common";
import type { ImsReadResult, ImsResourceProvider } from "../types";
import { checkMemberProjects, validateMemberInputs } from "./inputs";
import { changeMember } from "./jobs";
import { memberId, memberSchema, type MemberConsumer, type MemberInputs, type MemberOutputs, type SharedImageView } from "./schema";

const memberInputsOf = (raw: Raw): MemberInputs => inputsOf<MemberInputs>(memberSchema, raw);

const label = (m: { imageId: string; projectId: string }) => `ImageMember (image ${m.imageId}, project ${m.projectId})`;

/** The status the member project should give the share, when the program says so. */
const desiredStatus = (consumer: MemberConsumer | undefined): "accepted" | "rejected" | undefined =>
  consumer === undefined ? undefined : (consumer.status ?? "accepted");

/** What to do about the service's refusals of a share, by code. */
const SHARE_HINTS: Record<string, string> = {
  "IMG.0089": "public images cannot be shared",
  "IMG.0098": "encrypted images cannot be shared (images encrypted with a default KMS key never): share an unencrypted copy",
  "IMG.0135": "this full-ECS image cannot be shared: only full-ECS images made from a CBR backup of the owner's own can be",
  "IMG.0088": "the image has as many members as it may (256, or 10 for a full-ECS image), or the project's shared-image quota is used up: remove members first",
  "IMG.0076": "an image cannot be shared with the project that owns it",
  "IMG.0047": "only the image's owner can share it: share from the owner's project (profile), or copy the image first (ImageCopy) and share the copy",
  "IMG.0106": "the image belongs to another project: share from the owner's project (profile), or copy it first (ImageCopy) and share the copy",
  "IMG.0067": "projectId is not a project of this region",
  "IMG.0177": "images are shared only within one region: projectId must be a project of the image's region",
  "IMG.0046": "only an active image can be shared: wait until the image is active",
};

const explain = (error: unknown): string => explainCode(error, SHARE_HINTS);

/** Refuses, with a sentence saying what to do, an image its owner cannot share. */
function checkShareable(image: Image | undefined, inputs: MemberInputs, owner: string, region: string): Image {
  const what = label(inputs);
  if (!image) {
    throw new Error(`${what}: image ${inputs.imageId} does not exist in project ${owner} (${region}): give the id of an image of this project, or set region and profile to the image's`);
  }
  if (image.__imagetype === "gold" || image.visibility === "public") throw new Error(`${what}: image ${image.id} is a public image, and public images cannot be shared`);
  if (image.owner && image.owner !== owner) {
    throw new Error(
      `${what}: image ${image.id} belongs to project ${image.owner} and is shared with ${owner}: only its owner can share it; ` +
        "share it with the owner's profile, or copy it first (ImageCopy) and share the copy",
    );
  }
  if (image.status !== "active") throw new Error(`${what}: image ${image.id} is ${image.status}: only an active image can be shared`);
  return image;
}

/** The owner's client: the region the membership is in (its state), else the declared one. */
function ownerClient(inputs: MemberInputs, where?: string) {
  return clientOf({ region: where ?? inputs.region, profile: inputs.profile });
}

/** The member project's client, in the image's region. */
const consumerClient = (consumer: MemberConsumer, region: string) => clientOf({ region, profile: consumer.profile }).client;

/** The member as the owner sees it now (undefined when the project is no member). */
const memberOf = (client: ImsClient, inputs: MemberInputs): Promise<Member | undefined> => client.members.get(inputs.imageId, inputs.projectId);

/** Shares the image unless the project is a member already; returns the member. */
async function ensureMember(client: ImsClient, inputs: MemberInputs, timeoutMs: number): Promise<Member> {
  const existing = await memberOf(client, inputs);
  if (existing) return existing;
  try {
    await changeMember(client, "add", inputs.imageId, inputs.projectId, timeoutMs);
  } catch (error) {
    throw new Error(`${label(inputs)}: ${explain(error)}`, { cause: error });
  }
  const added = await memberOf(client, inputs);
  if (!added) throw new Error(`${label(inputs)}: the share job succeeded, but project ${inputs.projectId} is not listed as a member`);
  return added;
}

/** The member project accepts or rejects the share as declared (with its own credentials). */
async function answer(owner: ImsClient, inputs: MemberInputs, member: Member, region: string): Promise<Member> {
  const want = desiredStatus(inputs.consumer);
  if (!inputs.consumer || !want || member.status === want) return member;
  const consumer = consumerClient(inputs.consumer, region);
  try {
    await consumer.members.glanceSetStatus(inputs.imageId, inputs.projectId, want, inputs.consumer.vaultId);
  } catch (error) {
    const vault = error instanceof ImsApiError && /vault/i.test(error.serviceMessage) ? " (a full-ECS image needs consumer.vaultId, a CBR vault of the member project)" : "";
    throw new Error(`${label(inputs)}: the member project could not ${want === "accepted" ? "accept" : "reject"} the share${vault}: ${describeError(error)}`, {
      cause: error,
    });
  }
  return (await memberOf(owner, inputs)) ?? member;
}

/** Checks that the consumer profile acts as the member project (names resolve only here). */
async function checkConsumerProject(inputs: MemberInputs, region: string): Promise<void> {
  if (!inputs.consumer) return;
  const { client, target } = clientOf({ region, profile: inputs.consumer.profile });
  const actual = await client.projectId();
  if (actual !== inputs.projectId) {
    const profile = `ims:profiles.${inputs.consumer.profile}`;
    // A profile's project belongs to its region (the profile's, else ims:region): in another region it names none.
    const namesNone = target.settings.auth.projectId === undefined && target.settings.auth.projectName === undefined;
    throw new Error(
      `${label(inputs)}: consumer.profile "${inputs.consumer.profile}" acts as project ${actual} in ${region}, not as the member project ${inputs.projectId}: ` +
        (namesNone
          ? `set ${profile}.projectId to ${inputs.projectId} and ${profile}.region to ${region} (a profile's project belongs to its region, ` +
            `${profile}.region, else ims:region; in any other region the profile acts as that region's default project), `
          : `set ${profile}.projectId to ${inputs.projectId}, `) +
        "or give the profile of the member project",
    );
  }
}

async function outputsOf(owner: ImsClient, inputs: MemberInputs, member: Member, region: string, image?: Image): Promise<MemberOutputs> {
  const ownerProjectId = await owner.projectId();
  const imageName = image?.name ?? (await owner.images.get(inputs.imageId))?.name ?? "";
  let sharedImage: SharedImageView | undefined;
  if (inputs.consumer && member.status === "accepted") {
    const seen = await consumerClient(inputs.consumer, region).images.get(inputs.imageId);
    if (seen) sharedImage = { id: seen.id, name: seen.name, status: seen.status, imageType: seen.__imagetype ?? "", visibility: seen.visibility ?? "" };
  }
  return clean({
    ...inputs,
    imageRegion: region,
    ownerProjectId,
    imageName,
    status: member.status,
    createdAt: member.created_at ?? "",
    updatedAt: member.updated_at ?? "",
    ...(sharedImage ? { sharedImage } : {}),
  });
}

export const imageMemberProvider = {
  async check(_olds, news) {
    const failures = validateMemberInputs(news as unknown as Raw);
    if (failures.length === 0) failures.push(...checkMemberProjects(news as unknown as Raw));
    return failures.length ? { failures } : { inputs: news as unknown as MemberInputs };
  },

  async diff(_id, olds, news) {
    const { replaces, updates } = changedInputs<MemberInputs>(memberSchema, olds as unknown as Raw, news as unknown as Raw, {
      compare: {
        region: (old) => movesRegion(olds.imageRegion, old, news),
        consumer: (old, value) => {
          const norm = (c: unknown) => (c === undefined ? null : { ...(c as MemberConsumer), status: desiredStatus(c as MemberConsumer) });
          return !same(norm(old), norm(value));
        },
      },
    });
    // The member project's answer differs from the declared one (after a refresh, or a failed accept).
    const want = isUnknown(news.consumer) ? undefined : desiredStatus(news.consumer);
    if (want && olds.status !== want && !updates.includes("consumer")) updates.push("consumer");
    return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(raw) {
    const inputs = memberInputsOf(raw as unknown as Raw);
    const { client, target } = ownerClient(inputs);
    const timeouts = timeoutsOf(inputs.timeouts, target);
    const what = label(inputs);
    const id = memberId(inputs.imageId, inputs.projectId);
    const owner = await client.projectId();
    if (owner === inputs.projectId) throw new Error(`${what}: project ${owner} owns the image: an image cannot be shared with its own project`);
    await checkConsumerProject(inputs, target.region);
    const image = checkShareable(await client.images.get(inputs.imageId), inputs, owner, target.region);
    // An existing membership is taken over: it is what an interrupted earlier run made.
    const member = await ensureMember(client, inputs, timeouts.createMs);
    try {
      const answered = await withDeadline(answer(client, inputs, member, target.region), timeouts.createMs, `${what}: the member project's answer did not finish within timeouts.create`);
      return { id, outs: await outputsOf(client, inputs, answered, target.region, image) };
    } catch (error) {
      // The share exists: record it, and the next up gives the member project's answer again.
      const message = describeError(error);
      const properties = await outputsOf(client, inputs, member, target.region, image).catch(() => clean({ ...inputs, imageRegion: target.region, status: member.status }));
      throw new ResourceInitError(message, id, { ...properties, __provider: (raw as unknown as Raw).__provider }, [message]);
    }
  },

  async read(id, props) {
    if (!props) return { id: "" };
    const stored = memberInputsOf(props as unknown as Raw);
    // Read by id alone (ImageMember.get): the id names the image and the project.
    const [imageId, projectId] = id.split("/");
    const old: MemberInputs = stored.imageId ? stored : { ...stored, imageId: imageId ?? "", projectId: projectId ?? "" };
    const { client, target } = ownerClient(old, props.imageRegion);
    const member = await memberOf(client, old);
    if (!member) {
      const image = await client.images.get(old.imageId);
      const why = image ? "is no longer shared with it (removed outside Pulumi)" : "no longer exists";
      warn(`${label(old)}: the image ${why} in ${target.region}: the membership is removed from the state`);
      return { id: "" };
    }
    // With a consumer, its answer is declared: a different live answer is drift.
    const want = desiredStatus(old.consumer);
    const inputs: MemberInputs =
      old.consumer && want !== member.status ? { ...old, consumer: { ...old.consumer, status: member.status as "accepted" | "rejected" } } : old;
    return { id, props: await outputsOf(client, inputs, member, target.region), inputs: clean(inputs) } satisfies ImsReadResult<MemberInputs, MemberOutputs>;
  },

  async update(_id, olds, news) {
    const { client, target } = ownerClient(news, olds.imageRegion);
    const timeouts = timeoutsOf(news.timeouts, target);
    const what = label(news);
    try {
      const work = async () => {
        await checkConsumerProject(news, target.region);
        // A membership removed outside since the last refresh is restored.
        const member = await ensureMember(client, news, timeouts.updateMs);
        return answer(client, news, member, target.region);
      };
      const member = await withDeadline(work(), timeouts.updateMs, `${what}: the update did not finish within timeouts.update`);
      return { outs: await outputsOf(client, news, member, target.region) };
    } catch (error) {
      throw new Error(describeError(error).startsWith(what) ? describeError(error) : `${what}: ${describeError(error)}`, { cause: error });
    }
  },

  async delete(_id, props) {
    const old = memberInputsOf(props as unknown as Raw);
    const { client, target } = ownerClient(old, props.imageRegion);
    const timeouts = timeoutsOf(old.timeouts, target);
    try {
      if (!(await memberOf(client, old))) return;
      await changeMember(client, "remove", old.imageId, old.projectId, timeouts.deleteMs);
    } catch (error) {
      // The image is gone, and its memberships with it.
      if (error instanceof ImsApiError && (error.code === "IMG.0027" || error.status === 404) && !(await client.images.get(old.imageId))) return;
      throw new Error(`${label(old)}: ${explain(error)}`, { cause: error });
    }
  },
} satisfies ImsResourceProvider<MemberInputs, MemberOutputs>;
