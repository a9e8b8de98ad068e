import { shimFor } from "../shim";

/** The serialized provider of every Probe (see shimFor). */
export = shimFor("Probe");
