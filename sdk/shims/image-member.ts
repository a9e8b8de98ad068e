import { shimFor } from "../shim";

/** The serialized provider of every ImageMember (see shimFor). */
export = shimFor("ImageMember");
