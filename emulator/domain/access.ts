/**
 * Who may reach an image: the lookups every operation on an existing image starts with.
 */
import { img } from "./errors";
import type { Image } from "./model";
import type { Caller, World } from "./world";

/** The image of `id` if the caller may see it: public, owned, or shared with the caller. */
export function visibleImage(world: World, caller: Caller, id: string): Image | undefined {
  const image = world.image(id);
  if (!image || image.status === "deleted" || image.region !== caller.project.region) return undefined;
  if (image.imagetype === "gold" || image.owner === caller.project.id) return image;
  return image.members.some((m) => m.memberId === caller.project.id || m.memberId === caller.project.domainId)
    ? image
    : undefined;
}

/** The caller's own image for an extension API: IMG.0027 when unknown, IMG.0106 when not owned. */
export function ownedImage(world: World, caller: Caller, id: string): Image {
  const image = visibleImage(world, caller, id);
  if (!image) throw img("0027");
  if (image.imagetype === "gold") throw img("0106");
  if (image.owner !== caller.project.id) throw img("0106");
  return image;
}

