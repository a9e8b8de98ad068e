import { shimFor } from "../shim";

/** The serialized provider of every ImageCopy (see shimFor). */
export = shimFor("ImageCopy");
