/** What every resource kind shares: values, errors, time, targets, validation, field tables. */
export * from "./errors";
export * from "./schema";
export * from "./target";
export * from "./time";
export * from "./validate";
export * from "./values";
