/** What the tag calls send: the smallest change from the current tags to the desired ones. */
import type { ImageTag } from "../images/requests";

export interface TagDiff {
  create: ImageTag[];
  remove: ImageTag[];
}

/** What to send to go from `current` to `desired`: changed values are overwritten by create. */
export function diffTags(current: Record<string, string>, desired: Record<string, string>): TagDiff {
  const create = Object.entries(desired)
    .filter(([k, v]) => current[k] !== v)
    .map(([key, value]) => ({ key, value }));
  const remove = Object.entries(current)
    .filter(([k]) => !(k in desired))
    .map(([key, value]) => ({ key, value }));
  return { create, remove };
}
