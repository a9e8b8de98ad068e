/**
 * World files, and the state file: a snapshot of the whole world (a world file, written atomically:
 * a temporary file, then a rename) and beside it a journal, `<state file>.journal`, to which every
 * request that changed the world appends one line holding what it changed — the records it added,
 * changed or removed, and any other part of the world that changed, whole — before it is answered.
 * A write thus costs what the request changed, whatever the size of the world. At start the
 * journal is replayed onto the snapshot; when it outgrows the snapshot (or when the emulator stops)
 * the world is written whole again and the journal emptied. A killed emulator loses nothing it
 * answered: a line cut short by the kill belongs to a request that was never answered, and is dropped.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from "node:fs";
import type { Agency, Domain, EnterpriseProject, Image, Project, WorldState } from "./domain/model";
import { DEFAULT_WORLD, KEYED_COLLECTIONS, RECORD_KEYS, type KeyedCollection, type RecordOf, type World } from "./domain/world";

export function loadWorldFile(path: string): WorldState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path} is not a readable JSON world file: ${(e as Error).message}`, { cause: e });
  }
  return checkWorld(parsed, path);
}

export function checkWorld(value: unknown, source: string): WorldState {
  const w = value as Partial<WorldState> | null;
  if (!w || typeof w !== "object" || w.format !== "ims-emulator-world/1") {
    throw new Error(`${source} is not an ims-emulator world (expected "format": "ims-emulator-world/1")`);
  }
  const lists = ["regions", "domains", "projects", "users", "accessKeys", "servers", "volumes", "backups", "buckets", "objects", "images", "jobs"] as const;
  for (const key of lists) {
    if (!Array.isArray(w[key])) throw new Error(`${source}: "${key}" must be an array`);
  }
  if (typeof w.tokenKey !== "string" || w.tokenKey.length < 16) throw new Error(`${source}: "tokenKey" must be a string of 16 characters or more`);
  if (!Number.isInteger(w.imageQuota) || (w.imageQuota as number) < 0) throw new Error(`${source}: "imageQuota" must be a non-negative integer`);
  return {
    ...w,
    agencies: checkAgencies(w.agencies, w.domains as Domain[], source),
    enterpriseProjects: checkEnterpriseProjects(w.enterpriseProjects, w.images as Image[], w.projects as Project[], source),
  } as WorldState;
}

/**
 * The enterprise projects of a world. Worlds saved before they existed have none but the default
 * one; an enterprise project their images already name becomes one of the image owner's account,
 * so those images keep it and can still be moved.
 */
function checkEnterpriseProjects(enterpriseProjects: unknown, images: Image[], projects: Project[], source: string): EnterpriseProject[] {
  if (enterpriseProjects === undefined) {
    const found = new Map<string, EnterpriseProject>();
    for (const image of images) {
      const id = image.properties?.enterprise_project_id;
      const domainId = projects.find((p) => p.id === image.owner)?.domainId;
      if (id === undefined || id === "0" || domainId === undefined) continue;
      found.set(`${domainId}/${id}`, { id, name: `ep-${id}`.slice(0, 64), domainId });
    }
    return [...found.values()];
  }
  const valid = (e: unknown): boolean =>
    e !== null &&
    typeof e === "object" &&
    ["id", "name", "domainId"].every((k) => typeof (e as Record<string, unknown>)[k] === "string");
  if (!Array.isArray(enterpriseProjects) || !enterpriseProjects.every(valid)) {
    throw new Error(`${source}: "enterpriseProjects" must be an array of { "id", "name", "domainId" }`);
  }
  return enterpriseProjects as EnterpriseProject[];
}

/**
 * The IAM agencies of a world. Worlds saved before agencies existed have none: each of their
 * accounts gets the default agency, so the cross-region copies they could make still work.
 */
function checkAgencies(agencies: unknown, domains: Domain[], source: string): Agency[] {
  if (agencies === undefined) return domains.map((d) => ({ domainId: d.id, name: DEFAULT_WORLD.agency }));
  const valid = (a: unknown): boolean =>
    a !== null && typeof a === "object" && typeof (a as Agency).domainId === "string" && typeof (a as Agency).name === "string";
  if (!Array.isArray(agencies) || !agencies.every(valid)) throw new Error(`${source}: "agencies" must be an array of { "domainId", "name" }`);
  return agencies as Agency[];
}

/** Writes `state` to `path` atomically: readers see the old file or the new one, never a part. */
export function saveWorldFile(path: string, state: WorldState): number {
  const tmp = `${path}.${process.pid}.tmp`;
  const text = JSON.stringify(state);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  return Buffer.byteLength(text);
}

/** One line of the journal: what one request changed. */
interface JournalEntry {
  /** Keys of records removed, by collection (applied first). */
  del?: Partial<Record<KeyedCollection, string[]>>;
  /** Records added (appended) or changed (replaced where they stand), by collection. */
  put?: Partial<Record<KeyedCollection, unknown[]>>;
  /** The other parts of the world that changed, whole (projects, servers, the quota…). */
  set?: Record<string, unknown>;
}

const KEYED = new Set<string>(KEYED_COLLECTIONS);

/** The parts of a world written whole: everything but the keyed collections. */
const wholeParts = (state: WorldState): [string, unknown][] => Object.entries(state).filter(([key]) => !KEYED.has(key));

/** Applies journal entries to a world, in order; a record put again is replaced where it stands. */
function replay(state: WorldState, entries: JournalEntry[]): void {
  for (const collection of KEYED_COLLECTIONS) {
    const key = RECORD_KEYS[collection] as (record: unknown) => string;
    const records: (unknown | undefined)[] = state[collection];
    const at = new Map<string, number>();
    records.forEach((r, i) => {
      const k = key(r);
      if (!at.has(k)) at.set(k, i);
    });
    let removed = false;
    for (const entry of entries) {
      for (const k of entry.del?.[collection] ?? []) {
        const i = at.get(k);
        if (i === undefined) continue;
        records[i] = undefined;
        at.delete(k);
        removed = true;
      }
      for (const record of entry.put?.[collection] ?? []) {
        const k = key(record);
        const i = at.get(k);
        if (i !== undefined) records[i] = record;
        else at.set(k, records.push(record) - 1);
      }
    }
    if (removed) (state as unknown as Record<string, unknown[]>)[collection] = records.filter((r) => r !== undefined);
  }
  for (const entry of entries) Object.assign(state, entry.set ?? {});
}

/** The journal's complete lines; a last line without its newline was cut short by a kill and is left out. */
function readJournal(path: string): { entries: JournalEntry[]; complete: number } {
  if (!existsSync(path)) return { entries: [], complete: 0 };
  const bytes = readFileSync(path);
  const complete = bytes.lastIndexOf(0x0a) + 1;
  const lines = bytes.subarray(0, complete).toString("utf8").split("\n");
  lines.pop();
  const entries = lines.map((line, i) => {
    try {
      return JSON.parse(line) as JournalEntry;
    } catch (e) {
      throw new Error(
        `${path}: line ${i + 1} of ${lines.length} is not a journal entry (${(e as Error).message}); ` +
          "the file was changed by something else than ims-emulator: restore it, or remove it to start from the snapshot alone",
        { cause: e },
      );
    }
  });
  return { entries, complete };
}

/**
 * The world a state file holds: the snapshot with its journal replayed (what an emulator started
 * with `--state-file path` would start from), or undefined when there is no state file. Changes nothing.
 */
export function readStateFile(path: string): WorldState | undefined {
  return existsSync(path) ? withJournal(path).state : undefined;
}

function withJournal(path: string): { state: WorldState; complete: number } {
  const state = loadWorldFile(path);
  const { entries, complete } = readJournal(journalPath(path));
  replay(state, entries);
  return { state, complete };
}

export interface StateFileOptions {
  /** Write the world whole when the journal is larger than this and than the snapshot (default 8 MiB). */
  compactAtBytes?: number;
}

export interface WriteFigures {
  /** Bytes written: a journal line, or the whole world. */
  bytes: number;
  compacted: boolean;
}

/** A state file and its journal, open for writing. */
export class StateFile {
  private journal: number;
  private journalBytes: number;
  private snapshotBytes = 0;
  /** The JSON of each part written whole, as the files hold it. */
  private written = new Map<string, string>();
  private readonly compactAt: number;

  private constructor(
    readonly path: string,
    options: StateFileOptions,
    journalBytes: number,
  ) {
    this.compactAt = options.compactAtBytes ?? 8 * 1024 * 1024;
    this.journal = openSync(this.journalPath, "a");
    this.journalBytes = journalBytes;
  }

  get journalPath(): string {
    return journalPath(this.path);
  }

  /**
   * Opens the state file at `path`: its world (the snapshot with the journal replayed), or
   * undefined when there is no state file yet. A journal line cut short is cut off.
   */
  static open(path: string, options: StateFileOptions = {}): { state: WorldState | undefined; file: StateFile } {
    const { state, complete } = existsSync(path) ? withJournal(path) : { state: undefined, complete: 0 };
    if (existsSync(journalPath(path)) && statSync(journalPath(path)).size !== complete) {
      const fd = openSync(journalPath(path), "r+");
      try {
        ftruncateSync(fd, complete);
      } finally {
        closeSync(fd);
      }
    }
    const file = new StateFile(path, options, state ? complete : 0);
    if (state) {
      file.snapshotBytes = statSync(path).size;
      file.remember(state);
      if (file.overgrown()) file.compact(state);
    }
    return { state, file };
  }

  /** Writes the world whole and empties the journal. */
  compact(state: WorldState): WriteFigures {
    const bytes = saveWorldFile(this.path, state);
    // A kill between the rename and the truncation replays the journal onto a world that holds it already: the same world.
    ftruncateSync(this.journal, 0);
    this.journalBytes = 0;
    this.snapshotBytes = bytes;
    this.remember(state);
    return { bytes, compacted: true };
  }

  /** Writes what changed in `world` since the last write: a journal line, or the whole world when need be. */
  write(world: World): WriteFigures {
    const changes = world.takeChanges();
    if (changes.everything || this.overgrown()) return this.compact(world.state);
    const entry: JournalEntry = {};
    for (const collection of KEYED_COLLECTIONS) {
      const removed: string[] = [];
      const put: unknown[] = [];
      for (const [key, change] of changes.records[collection] as Map<string, { removed: boolean; record?: RecordOf<typeof collection> }>) {
        if (change.removed) removed.push(key);
        if (change.record !== undefined) put.push(change.record);
      }
      if (removed.length) (entry.del ??= {})[collection] = removed;
      if (put.length) (entry.put ??= {})[collection] = put;
    }
    for (const [key, value] of wholeParts(world.state)) {
      const json = JSON.stringify(value);
      if (this.written.get(key) === json) continue;
      (entry.set ??= {})[key] = value;
      this.written.set(key, json);
    }
    if (!entry.del && !entry.put && !entry.set) return { bytes: 0, compacted: false };
    const line = Buffer.from(JSON.stringify(entry) + "\n");
    for (let done = 0; done < line.length; ) done += writeSync(this.journal, line, done);
    this.journalBytes += line.length;
    return { bytes: line.length, compacted: false };
  }

  close(): void {
    closeSync(this.journal);
  }

  /** Whether the journal outgrew the snapshot (and the threshold): replaying it costs more than writing the world. */
  private overgrown(): boolean {
    return this.journalBytes > Math.max(this.compactAt, this.snapshotBytes);
  }

  private remember(state: WorldState): void {
    this.written = new Map(wholeParts(state).map(([key, value]) => [key, JSON.stringify(value)]));
  }
}

const journalPath = (path: string): string => `${path}.journal`;
