/**
 * Builds fuzz cases. A case is a pure function of two decision streams:
 *  - the case stream, seeded by (seed, case index): layout, byte order, source, mutator, size
 *    class and table slot, the mutation's own choices, the queries;
 *  - the table stream, seeded by (seed, size class, slot): the valid table.
 * Tables (and their encodings and structures) are cached per slot, so most cases only pay
 * for a mutation. Recorded, the two streams reproduce the case exactly; the minimiser shrinks them.
 */
import type { DecoderQuery } from '../../conformance/decoder-interface.js';
import type { Endian } from '../format/endian.js';
import type { LineTable } from '../model/line-table.js';
import type { Layout, SectionModel, SectionStructure, SymbolOffsets } from '../revisions/layout.js';
import { structureOf } from '../revisions/layout.js';
import type { EncodeOptions } from '../revisions/block-stream.js';
import { BLOCK_ENTRIES } from '../revisions/block-stream.js';
import { Decisions } from './decisions.js';
import type { Mutation, MutationInput, Mutator, NamedShape } from './mutators.js';
import { HAVOC, MUTATORS } from './mutators.js';
import { entryOffsets, makeQueries } from './queries.js';
import { ensureShape, generateTable, SIZE_CLASSES } from './table-gen.js';

/** A section from --corpus, with what was read from it. */
export interface CorpusEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly layout: Layout;
  readonly endian: Endian;
  readonly model: SectionModel;
  /** the table, when the section is valid */
  readonly table: LineTable | null;
}

export interface FactoryOptions {
  readonly seed: number;
  readonly layouts: readonly Layout[];
  readonly endians: readonly Endian[];
  readonly maxEntries?: number;
  readonly corpus?: readonly CorpusEntry[];
  /** restrict the mutators (tests) */
  readonly mutators?: readonly Mutator[];
}

export interface FuzzCase {
  readonly index: number;
  readonly layout: Layout;
  readonly endian: Endian;
  /** 'generated' or the corpus file name */
  readonly source: string;
  readonly sizeClass: string | null;
  readonly mutator: string;
  readonly rule: string | null;
  readonly description: string;
  readonly bytes: Uint8Array;
  readonly queries: DecoderQuery[];
  readonly queryKinds: string[];
  /** the structural model, when `bytes` is the unmutated valid section */
  readonly model: SectionModel | null;
  readonly tableEntries: number;
  readonly tableFiles: number;
  readonly container?: Mutation['container'];
  readonly symbols?: SymbolOffsets;
  readonly dwarfTable?: LineTable;
}

export interface CaseDecisions {
  readonly table: readonly number[];
  readonly case: readonly number[];
}

const STREAM_CASE = 1;
const STREAM_TABLE = 16;

/** the table of (size class, slot): cached, or drawn from a (recorded or replayed) stream */
type TableSource = (cls: number, slot: number) => LineTable;

const ANY_SHAPE: NamedShape = { key: 'any' };
const ANY_SHAPE_ID = 0;
const UNKNOWN = -1;

/** What a prepared section takes from its (shaped) table, shared by every layout and byte order. */
interface Shaped {
  readonly table: LineTable;
  readonly blockAddrs: readonly number[];
  readonly offsets: Float64Array;
}

interface Prepared {
  readonly table: LineTable;
  readonly valid: Uint8Array;
  /**
   * where the fields and arrays of `valid` are (not the whole model: the decoded entries of
   * every cached section would triple the fuzzer's heap, and no mutator needs them)
   */
  readonly structure: SectionStructure;
  /** offsets of every 64th entry (the block starts), for queries */
  readonly blockAddrs: readonly number[];
  /** the entries' offsets queries aim at: the table's, or the model's for a corpus section without entries in its table */
  readonly offsets: Float64Array;
  /** the layout, answering encode(table) from this entry (see memoLayout) */
  memo: Layout | null;
  /** rule breakers' outputs that drew no decision (MutationInput.breakerMemo); cached sections only */
  breakers: Map<string, Mutation | null> | null;
  /** when the cache last handed it out (least recently used out first) */
  used: number;
}

/**
 * The layout as the rule breakers see it: encoding this entry's table (without hooks) gives the
 * cached valid section itself, so a breaker does not re-encode the base section for every case
 * (and finds its structure through MutationInput.structure, by identity). Anything else goes to
 * the layout itself. The answers are the layout's own (encode is a pure function).
 */
function memoLayout(p: Prepared, layout: Layout, endian: Endian): Layout {
  return {
    ...layout,
    encode(table: LineTable, e: Endian, options?: EncodeOptions): Uint8Array {
      // the cached bytes themselves: rule breakers and mutators never write into what encode
      // returns (they copy first), and reading them back is then an identity check
      if (table === p.table && e === endian && options?.varintHook === undefined) return p.valid;
      return layout.encode(table, e, options);
    },
  };
}

const NO_BLOCKS: readonly number[] = [];

function blockStarts(table: LineTable): number[] {
  const out: number[] = [];
  for (let i = 0; i < table.entries.length; i += BLOCK_ENTRIES) out.push(table.entries[i]!.offset);
  return out;
}

const CACHE_LIMIT = 6000;
/** table shapes the prepared-section cache tells apart (the mutators use 8); sections of others are not cached */
const MAX_SHAPES = 16;
/**
 * Prepared sections (table, encoding, structure) are cached by (size class, slot, shape,
 * layout, byte order) up to this estimated size, least recently used out first. Every combination of the
 * cached classes fits for small tables; large ones (rare) cycle.
 */
const PREPARED_BUDGET = 160 * 1024 * 1024;
/**
 * The budget grows with the (layout, byte order) pairs beyond the eight of the v1 mix, up to
 * twice: the small and medium tables of every layout then stay cached (their rebuilds were a
 * fifth of the time with all eleven layouts).
 */
function preparedBudget(pairs: number): number {
  return PREPARED_BUDGET * Math.min(2, Math.max(1, pairs / 8));
}

function preparedCost(p: Prepared): number {
  // the bytes (and their copy in flight), the query offsets and block starts, a share of the table
  return 2048 + 2 * p.valid.length + 24 * p.offsets.length;
}

export class CaseFactory {
  readonly seed: number;
  private readonly layouts: readonly Layout[];
  private readonly endians: readonly Endian[];
  private readonly maxEntries: number;
  private readonly corpus: readonly CorpusEntry[];
  private readonly classes: typeof SIZE_CLASSES;
  private readonly classWeights: number[];
  private readonly tables = new Map<string, LineTable>();
  /**
   * Prepared sections, indexed by (size class, slot, shape, layout, byte order) (see generated()):
   * an array, not a Map, because this lookup runs for every case and a hash lookup in a table of
   * thousands of entries cost a cache miss more.
   */
  private readonly prepared: (Prepared | undefined)[];
  private preparedSize = 0;
  private readonly preparedBudget: number;
  /** shaped tables by (size class, slot, shape), for the prepared sections of every layout and byte order */
  private readonly shaped = new Map<number, Shaped>();
  private clock = 0;
  private readonly shapeIds = new Map<string, number>([[ANY_SHAPE.key, ANY_SHAPE_ID]]);
  /**
   * per (size class, slot, shape): 1 when the slot's table already has the shape (the section
   * cache then holds it once, under ANY_SHAPE_ID), 0 when it does not, UNKNOWN before it is known
   */
  private readonly sameAsAny: Int8Array;
  private readonly maxSlots: number;
  /** mutators and their weights, by layout index and source (generated, corpus with table, corpus bytes) */
  private readonly choice: { list: Mutator[]; weights: number[]; total: number }[][] = [];

  constructor(opts: FactoryOptions) {
    this.seed = opts.seed >>> 0;
    this.layouts = opts.layouts;
    this.endians = opts.endians;
    this.maxEntries = opts.maxEntries ?? 1_000_000;
    this.corpus = (opts.corpus ?? []).filter((c) => opts.layouts.includes(c.layout) && opts.endians.includes(c.endian));
    this.classes = SIZE_CLASSES;
    this.preparedBudget = preparedBudget(opts.layouts.length * opts.endians.length);
    this.maxSlots = Math.max(...SIZE_CLASSES.map((c) => c.slots));
    this.sameAsAny = new Int8Array(SIZE_CLASSES.length * this.maxSlots * MAX_SHAPES).fill(UNKNOWN);
    this.prepared = new Array<Prepared | undefined>(SIZE_CLASSES.length * this.maxSlots * MAX_SHAPES * opts.layouts.length * opts.endians.length).fill(undefined);
    this.classWeights = SIZE_CLASSES.map((c) => (c.min <= this.maxEntries ? c.weight : 0));
    const mutators = opts.mutators ?? MUTATORS;
    for (const layout of this.layouts) {
      this.choice.push(
        ['generated', 'corpus-table', 'corpus-bytes'].map((source) => {
          const list = mutators.filter((m) => m.layouts.includes(layout.id) && (m.weight > 0 || opts.mutators !== undefined) && (source !== 'corpus-bytes' || !m.needsTable));
          const weights = list.map((m) => (opts.mutators ? Math.max(1, m.weight) : m.weight));
          return { list, weights, total: weights.reduce((a, b) => a + b, 0) };
        }),
      );
    }
  }

  /** Case `index` of this seed; with `record`, also the decisions that reproduce it. */
  make(index: number, record = false): { case: FuzzCase; decisions: CaseDecisions | null } {
    const d = Decisions.seeded(this.seed, STREAM_CASE, index, record);
    const tableRecord: number[] | null = record ? [] : null;
    const c = this.build(index, d, (cls, slot) => {
      if (record) {
        const td = Decisions.seeded(this.seed, STREAM_TABLE + cls, slot, true);
        const t = generateTable(td, this.classes[cls]!, this.maxEntries);
        // (not push(...recorded): a giant table draws millions of values, past the argument limit)
        for (const v of td.recorded!) tableRecord!.push(v);
        return t;
      }
      return this.cachedTable(cls, slot);
    }, !record);
    return { case: c, decisions: record ? { table: tableRecord!, case: d.recorded! } : null };
  }

  /** Rebuilds a case from (edited) decisions, bypassing every cache. */
  fromDecisions(decisions: CaseDecisions, index = -1): { case: FuzzCase; decisions: CaseDecisions } {
    const d = Decisions.replay(decisions.case);
    const td = Decisions.replay(decisions.table);
    const c = this.build(index, d, (cls) => generateTable(td, this.classes[cls]!, this.maxEntries), false);
    return { case: c, decisions: { table: td.recorded!.slice(0, td.drawn), case: d.recorded!.slice(0, d.drawn) } };
  }

  private cachedTable(cls: number, slot: number): LineTable {
    const key = `${cls}:${slot}`;
    let t = this.tables.get(key);
    if (!t) {
      t = generateTable(Decisions.seeded(this.seed, STREAM_TABLE + cls, slot), this.classes[cls]!, this.maxEntries);
      this.remember(this.tables, key, t);
    }
    return t;
  }

  private remember<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value!);
    map.set(key, value);
  }

  private shapedTable(key: number | null, getTable: () => LineTable): Shaped {
    if (key !== null) {
      const s = this.shaped.get(key);
      if (s) return s;
    }
    const table = getTable();
    const s: Shaped = { table, blockAddrs: blockStarts(table), offsets: entryOffsets(table.entries) };
    if (key !== null) this.remember(this.shaped, key, s);
    return s;
  }

  /** the section of `getTable()` for one layout and byte order, kept in the cache under `key` unless it is null */
  private prepare(key: number | null, getTable: () => LineTable, layout: Layout, endian: Endian, tableKey: number | null = null): Prepared {
    const { table, blockAddrs, offsets } = this.shapedTable(key === null ? null : tableKey, getTable);
    const valid = layout.encode(table, endian);
    const p: Prepared = { table, valid, structure: structureOf(layout.read(valid, endian)), blockAddrs, offsets, memo: null, breakers: key === null ? null : new Map(), used: ++this.clock };
    if (key !== null) {
      const cost = preparedCost(p);
      if (this.preparedSize + cost > this.preparedBudget) this.evict(this.preparedBudget * 0.875 - cost);
      this.prepared[key] = p;
      this.preparedSize += cost;
    }
    return p;
  }

  /**
   * Least recently used out, down to `size` (one sort per many insertions). LRU rather than
   * first-in-first-out: the rare large tables (each worth hundreds of small ones) must not cycle
   * the small ones out.
   */
  private evict(size: number): void {
    const held: number[] = [];
    for (let k = 0; k < this.prepared.length; k++) if (this.prepared[k] !== undefined) held.push(k);
    held.sort((a, b) => this.prepared[a]!.used - this.prepared[b]!.used);
    for (const k of held) {
      if (this.preparedSize <= size) break;
      this.preparedSize -= preparedCost(this.prepared[k]!);
      this.prepared[k] = undefined;
    }
  }

  /**
   * The prepared section of size class `cls`, slot `slot`, adapted to `shape`, for one layout and
   * byte order: from the cache when it may be used (the table is drawn anyway when recording, so
   * the decisions are complete).
   */
  private generated(cls: number, slot: number, shape: NamedShape, layoutIndex: number, endianIndex: number, getTable: TableSource, cacheOk: boolean): Prepared {
    let shapeId = this.shapeIds.get(shape.key);
    if (shapeId === undefined) this.shapeIds.set(shape.key, (shapeId = this.shapeIds.size));
    const cacheable = this.classes[cls]!.keep === 'sections' && cacheOk && shapeId < MAX_SHAPES;
    if (cacheable && shapeId !== ANY_SHAPE_ID) {
      // a table that already has the shape shares the sections of its unshaped self
      const at = (cls * this.maxSlots + slot) * MAX_SHAPES + shapeId;
      if (this.sameAsAny[at] === UNKNOWN) {
        const table = getTable(cls, slot);
        this.sameAsAny[at] = ensureShape(table, shape) === table ? 1 : 0;
      }
      if (this.sameAsAny[at] === 1) {
        shapeId = ANY_SHAPE_ID;
        shape = ANY_SHAPE;
      }
    }
    const key = (((cls * this.maxSlots + slot) * MAX_SHAPES + shapeId) * this.layouts.length + layoutIndex) * this.endians.length + endianIndex;
    const hit = cacheable ? this.prepared[key] : undefined;
    if (hit !== undefined) {
      hit.used = ++this.clock;
      return hit;
    }
    const tableKey = (cls * 1024 + slot) * 64 + shapeId;
    return this.prepare(cacheable ? key : null, () => ensureShape(getTable(cls, slot), shape), this.layouts[layoutIndex]!, this.endians[endianIndex]!, tableKey);
  }

  private build(index: number, d: Decisions, getTable: TableSource, cacheOk: boolean): FuzzCase {
    const layoutIndex = d.below(this.layouts.length);
    const layout = this.layouts[layoutIndex]!;
    const endianIndex = d.below(this.endians.length);
    const endian = this.endians[endianIndex]!;
    const fromCorpus = this.corpus.length > 0 && d.chance(0.25);
    let entry: CorpusEntry | null = null;
    if (fromCorpus) {
      const matching = this.corpus.filter((c) => c.layout === layout && c.endian === endian);
      entry = matching.length ? matching[d.below(matching.length)]! : null;
    }
    const choice = this.choice[layoutIndex]![entry === null ? 0 : entry.table ? 1 : 2]!;
    let mutator = choice.total > 0 ? choice.list[d.weighted(choice.weights, choice.total)]! : HAVOC;

    let prep: Prepared;
    let sizeClass: string | null = null;
    if (entry) {
      const table = entry.table ?? { files: [], entries: [] };
      prep = {
        table,
        valid: entry.bytes,
        structure: entry.model,
        blockAddrs: blockStarts(entry.model.entries.length ? { files: [], entries: entry.model.entries } : table),
        offsets: entryOffsets(table.entries.length ? table.entries : entry.model.entries),
        memo: null,
        breakers: null,
        used: 0,
      };
      if (entry.table && mutator.shape) {
        const t = ensureShape(entry.table, mutator.shape);
        if (t !== entry.table) prep = this.prepare(null, () => t, layout, endian);
      }
    } else {
      const cls = d.weighted(this.classWeights);
      const slot = d.below(this.classes[cls]!.slots);
      sizeClass = this.classes[cls]!.name;
      prep = this.generated(cls, slot, mutator.shape ?? ANY_SHAPE, layoutIndex, endianIndex, getTable, cacheOk);
    }

    const input: MutationInput = {
      layout: mutator.needsTable ? (prep.memo ??= memoLayout(prep, layout, endian)) : layout,
      endian,
      table: entry && !entry.table ? null : prep.table,
      valid: prep.valid,
      structure: prep.structure,
      d,
      breakerMemo: (mutator.needsTable && prep.breakers) || undefined,
      // a tiny or small generated section, from the cache like any other
      partner: () => {
        const cls = d.below(2);
        return this.generated(cls, d.below(this.classes[cls]!.slots), ANY_SHAPE, layoutIndex, endianIndex, getTable, cacheOk).valid;
      },
    };
    let mutation = mutator.apply(input);
    if (mutation === null) {
      mutator = HAVOC;
      mutation = HAVOC.apply(input)!;
    }
    const q = makeQueries(d, prep.offsets, layout.traits.entries === 'blocks' ? prep.blockAddrs : NO_BLOCKS);
    const c: { -readonly [K in keyof FuzzCase]: FuzzCase[K] } = {
      index,
      layout,
      endian,
      source: entry ? entry.name : 'generated',
      sizeClass,
      mutator: mutator.name,
      rule: mutation.rule,
      description: mutation.description,
      bytes: mutation.bytes,
      queries: q.queries,
      queryKinds: q.kinds,
      // the whole model is only known for a corpus section (generated ones keep their structure only)
      model: entry !== null && mutation.bytes === entry.bytes ? entry.model : null,
      tableEntries: prep.table.entries.length,
      tableFiles: prep.table.files.length,
    };
    if (mutation.container) c.container = mutation.container;
    if (mutation.symbols) c.symbols = mutation.symbols;
    if (mutation.dwarfTable) c.dwarfTable = mutation.dwarfTable;
    return c;
  }
}
