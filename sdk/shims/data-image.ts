import { shimFor } from "../shim";

/** The serialized provider of every DataImage (see shimFor). */
export = shimFor("DataImage");
