import { shimFor } from "../shim";

/** The serialized provider of every PrivateImage (see shimFor). */
export = shimFor("PrivateImage");
