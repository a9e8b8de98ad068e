/**
 * Indexes over the record arrays of the world. The arrays stay the state (the state file holds
 * them, the admin API shows them, tests read them): an index follows the changes the world makes
 * through its own methods at once, and notices at its next use when an array was changed some
 * other way — replaced, or records pushed onto it — and then catches up or is rebuilt.
 */

/** An index of an array by a key; the first record of a key wins, as `Array.prototype.find` would. */
export class RecordIndex<T> {
  private array: T[] | undefined;
  private length = 0;
  private duplicates = false;
  protected readonly byKey = new Map<string, T>();
  /** How many times the array was found changed outside this index. */
  outsideChanges = 0;

  constructor(readonly key: (record: T) => string) {}

  /**
   * Brings the index in step with `array`; true when the array was changed outside this index
   * (its first look at an array is not a change).
   */
  sync(array: T[]): boolean {
    if (array === this.array && array.length === this.length) return false;
    const first = this.array === undefined;
    if (array === this.array && array.length > this.length) {
      for (let i = this.length; i < array.length; i++) this.index(array[i]);
    } else {
      this.rebuild(array);
    }
    this.length = array.length;
    if (first) return false;
    this.outsideChanges += 1;
    return true;
  }

  get(array: T[], key: string): T | undefined {
    this.sync(array);
    return this.byKey.get(key);
  }

  /** Appends `record` to the array and the index. */
  push(array: T[], record: T): void {
    this.sync(array);
    array.push(record);
    this.index(record);
    this.length = array.length;
  }

  /** Removes `record` from the array and the index; false when it is not in the array. */
  remove(array: T[], record: T): boolean {
    this.sync(array);
    const at = array.lastIndexOf(record);
    if (at < 0) return false;
    array.splice(at, 1);
    this.length = array.length;
    if (this.duplicates) this.rebuild(array);
    else this.unindex(record);
    return true;
  }

  protected index(record: T): void {
    const key = this.key(record);
    if (this.byKey.has(key)) this.duplicates = true;
    else this.byKey.set(key, record);
  }

  protected unindex(record: T): void {
    this.byKey.delete(this.key(record));
  }

  protected rebuild(array: T[]): void {
    this.byKey.clear();
    this.duplicates = false;
    this.array = array;
    for (const record of array) this.index(record);
  }
}

/** An index that also groups the records by a second key (images by owner). */
export class GroupedIndex<T> extends RecordIndex<T> {
  private readonly groups = new Map<string, Set<T>>();

  constructor(
    key: (record: T) => string,
    private readonly group: (record: T) => string,
  ) {
    super(key);
  }

  /** The records of one group, in the order they were added. */
  members(array: T[], group: string): ReadonlySet<T> {
    this.sync(array);
    return this.groups.get(group) ?? EMPTY;
  }

  protected override index(record: T): void {
    super.index(record);
    const g = this.group(record);
    let set = this.groups.get(g);
    if (!set) this.groups.set(g, (set = new Set()));
    set.add(record);
  }

  protected override unindex(record: T): void {
    super.unindex(record);
    this.groups.get(this.group(record))?.delete(record);
  }

  protected override rebuild(array: T[]): void {
    this.groups.clear();
    super.rebuild(array);
  }
}

const EMPTY: ReadonlySet<never> = new Set();
