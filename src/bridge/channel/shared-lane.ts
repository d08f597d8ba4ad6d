/**
 * The shared memory between a caller thread and its bridge worker: the doorbells, and one
 * request slot and one reply slot that carry the common small calls without `postMessage`.
 *
 * Why a slot at all: a `postMessage` + `receiveMessageOnPort` pair costs a few microseconds of
 * structured clone and port bookkeeping on each side, which is most of a bridge round trip once
 * the OS wake-ups are avoided (see `spin-budget.ts`). A call whose parts are all primitives, or
 * small plain JSON data, is written straight into the slot instead: strings as UTF-8 bytes,
 * numbers as float64 (exact, `-0` and `NaN` included). Anything else — a value JSON cannot carry
 * exactly, an oversized payload, an error, or a slot still occupied by an unread message (after a
 * timeout) — takes the port, whose structured clone keeps its semantics. Ids make the two lanes
 * order-independent.
 *
 * Publication is by `Atomics.store` of the slot's "full" flag after the plain writes, and
 * consumption by `Atomics.load` of it before the reads (sequentially consistent, so the data
 * is visible); the reader clears the flag once it has copied the message out.
 */

/** Int32 slot indices. */
const DOORBELL = 0; // worker → caller ring counter: bumped after every message, in either lane
const REQUEST_BELL = 1; // caller → worker counter: bumped after every request, in either lane
const REQ_FULL = 2;
const REQ_PARTS = 3;
const REP_FULL = 4;
const REP_KIND = 5;
const REP_LENGTH = 6;
const WORKER_STATE = 7; // how the worker waits for its next request (WorkerState)
const POLL_MICROS = 8; // the worker's current poll budget ceiling, set by the caller (a live setting)
const PORT_REQUESTS = 9; // caller → worker counter: bumped after every request posted on the port (not wake-ups)
const REQ_KINDS = 16; // one per part (the op, then each argument)
const REQ_LENGTHS = 32;
const MAX_PARTS = 12;

/** Float64 slot indices (after the Int32 header). */
const REQ_ID = 0;
const REP_ID = 1;
const REQ_NUMBERS = 2; // one per part
const REP_NUMBER = REQ_NUMBERS + MAX_PARTS;

const HEADER_BYTES = 256;
const FLOAT_BYTES = 8 * (REP_NUMBER + 1);
const REQUEST_OFFSET = HEADER_BYTES + FLOAT_BYTES;
const REQUEST_CAPACITY = 64 * 1024;
const REPLY_OFFSET = REQUEST_OFFSET + REQUEST_CAPACITY;
const REPLY_CAPACITY = 1024 * 1024;

/** Bytes of shared memory per worker. */
export const SHARED_BYTES = REPLY_OFFSET + REPLY_CAPACITY;

/**
 * How the worker waits for its next request, which decides how a request must wake it:
 * - `Loop`: in its event loop (serving a call, or between park slices): a message on its request port;
 * - `Polling`: spinning on the request counter: nothing at all;
 * - `Parked`: blocked in `Atomics.wait` on the request counter: `Atomics.notify`, a futex wake,
 *   which costs the OS a few microseconds less than waking an event loop through libuv.
 */
export const WorkerState = { Loop: 0, Polling: 1, Parked: 2 } as const;
/** One of {@link WorkerState}'s values. */
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

/** How a part is carried (Int32 kind slots). */
const Kind = {
  Null: 0,
  Undefined: 1,
  String: 2,
  Number: 3,
  True: 4,
  False: 5,
  Json: 6,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const NOT_CARRIED = -1;

/** Nesting depth beyond which a value takes the port (it may be cyclic). */
const MAX_JSON_DEPTH = 8;

/** A call as the worker receives it. */
export interface SharedRequest {
  readonly id: number;
  readonly op: string;
  readonly args: unknown[];
}

/** One side's view of the shared memory. */
export class SharedLane {
  readonly bells: Int32Array;
  private readonly numbers: Float64Array;
  private readonly bytes: Buffer;

  constructor(readonly memory: SharedArrayBuffer) {
    this.bells = new Int32Array(memory, 0, HEADER_BYTES / 4);
    this.numbers = new Float64Array(memory, HEADER_BYTES, FLOAT_BYTES / 8);
    this.bytes = Buffer.from(memory);
  }

  /** Allocates the shared memory for a new worker. */
  static allocate(): SharedLane {
    return new SharedLane(new SharedArrayBuffer(SHARED_BYTES));
  }

  /** The doorbell's current count. */
  rung(): number {
    return Atomics.load(this.bells, DOORBELL);
  }

  /** Worker side: announces that a message was published (in either lane). */
  ring(): void {
    Atomics.add(this.bells, DOORBELL, 1);
    Atomics.notify(this.bells, DOORBELL);
  }

  /** Caller side: parks until the doorbell differs from `rung`, at most `timeoutMs`. */
  waitForRing(rung: number, timeoutMs: number): void {
    Atomics.wait(this.bells, DOORBELL, rung, Math.max(0, timeoutMs));
  }

  /** Spins until the doorbell differs from `rung`, at most `micros`; true when it did. */
  spinForRing(rung: number, micros: number): boolean {
    return spinWhileEqual(this.bells, DOORBELL, rung, micros);
  }

  /** The request counter (the worker polls it). */
  requestCount(): number {
    return Atomics.load(this.bells, REQUEST_BELL);
  }

  /** Caller side: counts a request sent in either lane (after {@link countPortRequest} for the port). */
  countRequest(): void {
    Atomics.add(this.bells, REQUEST_BELL, 1);
  }

  /** Caller side: counts a request posted on the port, so the worker reads its port only when one was. */
  countPortRequest(): void {
    Atomics.add(this.bells, PORT_REQUESTS, 1);
  }

  /** Worker side: the port-request counter. */
  portRequestCount(): number {
    return Atomics.load(this.bells, PORT_REQUESTS);
  }

  /** Worker side: spins until the request counter differs from `seen`, at most `micros`. */
  spinForRequest(seen: number, micros: number): boolean {
    return spinWhileEqual(this.bells, REQUEST_BELL, seen, micros);
  }

  /** Worker side: publishes how it waits for the next request (see {@link WorkerState}). */
  setWorkerState(state: WorkerState): void {
    Atomics.store(this.bells, WORKER_STATE, state);
  }

  /** How the worker says it waits for its next request (see {@link WorkerState}). */
  workerState(): WorkerState {
    return Atomics.load(this.bells, WORKER_STATE) as WorkerState;
  }

  /**
   * Caller side, after publishing a request (and counting it): wakes a parked worker, and says
   * whether the worker must also be woken through its port (it is in its event loop).
   */
  wakeWorker(): boolean {
    const state = this.workerState();
    if (state === WorkerState.Parked) Atomics.notify(this.bells, REQUEST_BELL);
    return state === WorkerState.Loop;
  }

  /**
   * Worker side: blocks until the request counter differs from `seen`, at most `timeoutMs`;
   * true when it did. The caller's {@link wakeWorker} notifies after counting, so a request
   * counted before this wait makes it return at once, and one counted during it wakes it.
   */
  parkForRequest(seen: number, timeoutMs: number): boolean {
    return Atomics.wait(this.bells, REQUEST_BELL, seen, timeoutMs) !== 'timed-out';
  }

  /** Caller side: the ceiling of the worker's poll budget, in whole microseconds (a live setting). */
  setPollMicros(micros: number): void {
    Atomics.store(this.bells, POLL_MICROS, Math.min(2 ** 31 - 1, Math.max(0, Math.round(micros))));
  }

  /** Worker side: the current ceiling of its poll budget. */
  pollMicros(): number {
    return Atomics.load(this.bells, POLL_MICROS);
  }

  /** Caller side: writes a call into the request slot; false when it must take the port instead. */
  tryWriteRequest(id: number, op: string, args: readonly unknown[]): boolean {
    const parts = args.length + 1;
    if (parts > MAX_PARTS || Atomics.load(this.bells, REQ_FULL) !== 0) return false;
    let used = 0;
    for (let part = 0; part < parts; part++) {
      const value = part === 0 ? op : args[part - 1];
      const written = this.writePart(value, part, used);
      if (written === NOT_CARRIED) return false;
      used += written;
    }
    this.numbers[REQ_ID] = id;
    this.bells[REQ_PARTS] = parts;
    Atomics.store(this.bells, REQ_FULL, 1);
    return true;
  }

  /** Worker side: takes the call waiting in the request slot, if any. */
  takeRequest(): SharedRequest | null {
    if (Atomics.load(this.bells, REQ_FULL) !== 1) return null;
    const parts = this.bells[REQ_PARTS]!;
    const values: unknown[] = [];
    let offset = REQUEST_OFFSET;
    for (let part = 0; part < parts; part++) {
      const kind = this.bells[REQ_KINDS + part]! as Kind;
      const length = this.bells[REQ_LENGTHS + part]!;
      values.push(this.readValue(kind, offset, length, this.numbers[REQ_NUMBERS + part]!));
      offset += length;
    }
    const id = this.numbers[REQ_ID]!;
    Atomics.store(this.bells, REQ_FULL, 0);
    return { id, op: values[0] as string, args: values.slice(1) };
  }

  /** Worker side: writes a successful result into the reply slot; false when it must take the port. */
  tryWriteReply(id: number, value: unknown): boolean {
    if (Atomics.load(this.bells, REP_FULL) !== 0) return false;
    const kind = kindOf(value);
    if (kind === NOT_CARRIED) return false;
    let length = 0;
    if (kind === Kind.String || kind === Kind.Json) {
      const text = kind === Kind.String ? (value as string) : JSON.stringify(value);
      if (!fits(text, REPLY_CAPACITY)) return false;
      length = this.bytes.write(text, REPLY_OFFSET, 'utf8');
    } else if (kind === Kind.Number) {
      this.numbers[REP_NUMBER] = value as number;
    }
    this.numbers[REP_ID] = id;
    this.bells[REP_KIND] = kind;
    this.bells[REP_LENGTH] = length;
    Atomics.store(this.bells, REP_FULL, 1);
    return true;
  }

  /** Caller side: takes the result waiting in the reply slot, if any. */
  takeReply(): { readonly id: number; readonly value: unknown } | null {
    if (Atomics.load(this.bells, REP_FULL) !== 1) return null;
    const kind = this.bells[REP_KIND]! as Kind;
    const value = this.readValue(kind, REPLY_OFFSET, this.bells[REP_LENGTH]!, this.numbers[REP_NUMBER]!);
    const id = this.numbers[REP_ID]!;
    Atomics.store(this.bells, REP_FULL, 0);
    return { id, value };
  }

  private writePart(value: unknown, part: number, used: number): number {
    const kind = kindOf(value);
    if (kind === NOT_CARRIED) return NOT_CARRIED;
    let length = 0;
    if (kind === Kind.String || kind === Kind.Json) {
      const text = kind === Kind.String ? (value as string) : JSON.stringify(value);
      if (!fits(text, REQUEST_CAPACITY - used)) return NOT_CARRIED;
      length = this.bytes.write(text, REQUEST_OFFSET + used, 'utf8');
    } else if (kind === Kind.Number) {
      this.numbers[REQ_NUMBERS + part] = value as number;
    }
    this.bells[REQ_KINDS + part] = kind;
    this.bells[REQ_LENGTHS + part] = length;
    return length;
  }

  private readValue(kind: Kind, offset: number, length: number, number: number): unknown {
    switch (kind) {
      case Kind.Null:
        return null;
      case Kind.Undefined:
        return undefined;
      case Kind.String:
        return this.bytes.toString('utf8', offset, offset + length);
      case Kind.Number:
        return number;
      case Kind.True:
        return true;
      case Kind.False:
        return false;
      case Kind.Json:
        return JSON.parse(this.bytes.toString('utf8', offset, offset + length)) as unknown;
    }
  }
}

function kindOf(value: unknown): Kind | typeof NOT_CARRIED {
  switch (typeof value) {
    case 'string':
      return Kind.String;
    case 'number':
      return Kind.Number;
    case 'boolean':
      return value ? Kind.True : Kind.False;
    case 'undefined':
      return Kind.Undefined;
    case 'object':
      if (value === null) return Kind.Null;
      return isExactJson(value, 0) ? Kind.Json : NOT_CARRIED;
    default:
      return NOT_CARRIED;
  }
}

/**
 * True when `JSON.parse(JSON.stringify(value))` rebuilds exactly what a structured clone would:
 * plain objects and dense arrays of strings, booleans, null and finite numbers other than -0.
 */
function isExactJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isExactJson(value[i], depth + 1)) return false;
        }
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key of Object.keys(value)) {
        if (key === '__proto__' || !isExactJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Whether `text` fits in `capacity` bytes of UTF-8 (cheap test first: at most 3 bytes per UTF-16 unit). */
function fits(text: string, capacity: number): boolean {
  return text.length * 3 <= capacity || Buffer.byteLength(text, 'utf8') <= capacity;
}

function spinWhileEqual(bells: Int32Array, index: number, value: number, micros: number): boolean {
  if (micros <= 0) return Atomics.load(bells, index) !== value;
  const until = performance.now() + micros / 1000;
  while (Atomics.load(bells, index) === value) {
    if (performance.now() >= until) return false;
  }
  return true;
}
