/** Which client a resource uses: its own region, profile and project, else the provider's. */
import { clientFor, type TargetOptions } from "../config";
import { isUnknown, same } from "./values";

/** The client and target of a resource from its `region` and `profile` inputs (and a chosen project). */
export function clientOf(inputs: { region?: string | undefined; profile?: string | undefined; project?: TargetOptions["project"] }) {
  return clientFor({
    ...(inputs.region ? { region: inputs.region } : {}),
    ...(inputs.profile ? { profile: inputs.profile } : {}),
    ...(inputs.project ? { project: inputs.project } : {}),
  });
}

/**
 * True when a resource now declared with `news` would live in another region than where it is
 * (`where`, from its state; `oldRegion`, the region input it was made with): what counts is the
 * region the inputs resolve to (the declared one, else the profile's or the provider's).
 */
export function movesRegion(where: string | undefined, oldRegion: unknown, news: { region?: string | undefined; profile?: string | undefined }): boolean {
  if (isUnknown(news.region) || isUnknown(news.profile)) return true;
  let region: string | undefined;
  try {
    region = news.region ?? clientOf(news).target.region;
  } catch {
    region = news.region;
  }
  return region !== undefined && where ? region !== where : !same(oldRegion, news.region);
}
