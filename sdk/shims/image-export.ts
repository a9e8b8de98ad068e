import { shimFor } from "../shim";

/** The serialized provider of every ImageExport (see shimFor). */
export = shimFor("ImageExport");
