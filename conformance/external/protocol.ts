/**
 * The external decoder protocol, version 1 (conformance/PROTOCOL.md): length-prefixed binary
 * frames on a decoder process's stdin (requests, magic "LIQ1") and stdout (responses, "LIA1").
 * All framing integers are little-endian, whatever the section's byte order. Pure functions, so
 * that other code (the runner, decoders written in JavaScript, tests) can reuse them.
 */
import type { Endian } from '../../tools/format/endian.js';
import type { DecoderAnswer, DecoderQuery } from '../decoder-interface.js';

export const PROTOCOL_VERSION = 1;
export const REQUEST_MAGIC = 'LIQ1';
export const RESPONSE_MAGIC = 'LIA1';
/** Largest frame (bytes after the length field) either side may send. */
export const MAX_FRAME = 1 << 30;

export const ANSWER_NONE = 0;
export const ANSWER_HIT = 1;
export const ANSWER_UNSUPPORTED = 2;

/** One request: one section (module section or vmlinux table image) with its queries. */
export interface ProtocolRequest {
  readonly endian: Endian;
  /** layout id, ASCII, at most 255 bytes (spec/FORMAT.md layout ids) */
  readonly layout: string;
  readonly section: Uint8Array;
  /** offsets and symbol starts must be u32 */
  readonly queries: readonly DecoderQuery[];
}

/** A decoder's answer to one query, as the protocol carries it. */
export type ProtocolAnswer = DecoderAnswer | 'unsupported';

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

function isU32(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffff_ffff;
}

function magicAt(buf: Uint8Array, at: number, magic: string): boolean {
  for (let i = 0; i < 4; i++) if (buf[at + i] !== magic.charCodeAt(i)) return false;
  return true;
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Encodes one request frame. Throws RangeError on a value the protocol cannot carry. */
export function protocolEncodeRequest(req: ProtocolRequest): Uint8Array {
  const layoutBytes = Buffer.from(req.layout, 'latin1');
  if (layoutBytes.length > 255 || !/^[\x20-\x7e]*$/.test(req.layout)) throw new RangeError(`layout id ${JSON.stringify(req.layout)} is not printable ASCII of at most 255 bytes`);
  if (req.section.length > 0xffff_ffff) throw new RangeError('section larger than 4 GiB');
  const payload = 1 + 1 + layoutBytes.length + 4 + req.section.length + 4 + 9 * req.queries.length;
  if (payload > MAX_FRAME) throw new RangeError(`request frame of ${payload} bytes exceeds ${MAX_FRAME}`);
  const out = new Uint8Array(8 + payload);
  const v = view(out);
  out.set(Buffer.from(REQUEST_MAGIC, 'latin1'), 0);
  v.setUint32(4, payload, true);
  let at = 8;
  out[at++] = req.endian === 'be' ? 1 : 0;
  out[at++] = layoutBytes.length;
  out.set(layoutBytes, at);
  at += layoutBytes.length;
  v.setUint32(at, req.section.length, true);
  at += 4;
  out.set(req.section, at);
  at += req.section.length;
  v.setUint32(at, req.queries.length, true);
  at += 4;
  for (const q of req.queries) {
    if (!isU32(q.offset)) throw new RangeError(`query offset ${q.offset} is not a u32`);
    if (q.symbolStart !== undefined && !isU32(q.symbolStart)) throw new RangeError(`symbol start ${q.symbolStart} is not a u32`);
    v.setUint32(at, q.offset, true);
    out[at + 4] = q.symbolStart === undefined ? 0 : 1;
    v.setUint32(at + 5, q.symbolStart ?? 0, true);
    at += 9;
  }
  return out;
}

/**
 * Decodes the request frame at the start of `buf`. Returns null while the frame is incomplete,
 * else the request (its section is a copy) and the number of bytes the frame took.
 */
export function protocolDecodeRequest(buf: Uint8Array): { request: ProtocolRequest; bytes: number } | null {
  if (buf.length < 8) return null;
  if (!magicAt(buf, 0, REQUEST_MAGIC)) throw new ProtocolError('request does not start with LIQ1');
  const v = view(buf);
  const len = v.getUint32(4, true);
  if (len > MAX_FRAME) throw new ProtocolError(`request frame length ${len} exceeds ${MAX_FRAME}`);
  if (buf.length < 8 + len) return null;
  const end = 8 + len;
  let at = 8;
  const need = (n: number, what: string): void => {
    if (end - at < n) throw new ProtocolError(`request frame too short for ${what}`);
  };
  need(2, 'endian and layout length');
  const e = buf[at++]!;
  if (e > 1) throw new ProtocolError(`endian byte ${e} is not 0 or 1`);
  const layoutLen = buf[at++]!;
  need(layoutLen + 4, 'the layout id');
  const layout = Buffer.from(buf.subarray(at, at + layoutLen)).toString('latin1');
  at += layoutLen;
  const size = v.getUint32(at, true);
  at += 4;
  need(size + 4, 'the section');
  const section = Uint8Array.from(buf.subarray(at, at + size));
  at += size;
  const count = v.getUint32(at, true);
  at += 4;
  if (end - at !== 9 * count) throw new ProtocolError(`query list (${count} queries) does not fill the request frame exactly`);
  const queries: DecoderQuery[] = [];
  for (let i = 0; i < count; i++, at += 9) {
    const offset = v.getUint32(at, true);
    queries.push(buf[at + 4] ? { offset, symbolStart: v.getUint32(at + 5, true) } : { offset });
  }
  return { request: { endian: e === 1 ? 'be' : 'le', layout, section, queries }, bytes: end };
}

/** Encodes one response frame. */
export function protocolEncodeResponse(answers: readonly ProtocolAnswer[]): Uint8Array {
  let payload = 4;
  for (const a of answers) payload += a === null || a === 'unsupported' ? 1 : 9;
  const out = new Uint8Array(8 + payload);
  const v = view(out);
  out.set(Buffer.from(RESPONSE_MAGIC, 'latin1'), 0);
  v.setUint32(4, payload, true);
  v.setUint32(8, answers.length, true);
  let at = 12;
  for (const a of answers) {
    if (a === null) out[at++] = ANSWER_NONE;
    else if (a === 'unsupported') out[at++] = ANSWER_UNSUPPORTED;
    else {
      if (!isU32(a.line) || !isU32(a.nameOffset)) throw new RangeError('line and name offset must be u32');
      out[at] = ANSWER_HIT;
      v.setUint32(at + 1, a.line, true);
      v.setUint32(at + 5, a.nameOffset, true);
      at += 9;
    }
  }
  return out;
}

/**
 * Decodes the response frame at the start of `buf`. Returns null while the frame is incomplete,
 * else the answers and the number of bytes the frame took. Throws ProtocolError on a malformed
 * frame (wrong magic, unknown answer kind, length that does not match the answers).
 */
export function protocolDecodeResponse(buf: Uint8Array): { answers: ProtocolAnswer[]; bytes: number } | null {
  if (buf.length < 4) return null;
  if (!magicAt(buf, 0, RESPONSE_MAGIC)) {
    throw new ProtocolError(`response does not start with LIA1 (got ${JSON.stringify(Buffer.from(buf.subarray(0, 4)).toString('latin1'))})`);
  }
  if (buf.length < 8) return null;
  const v = view(buf);
  const len = v.getUint32(4, true);
  if (len > MAX_FRAME) throw new ProtocolError(`response frame length ${len} exceeds ${MAX_FRAME}`);
  if (len < 4) throw new ProtocolError(`response frame length ${len} is shorter than its answer count`);
  if (buf.length < 8 + len) return null;
  const end = 8 + len;
  const count = v.getUint32(8, true);
  const answers: ProtocolAnswer[] = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    if (at >= end) throw new ProtocolError(`response frame ends after ${i} of ${count} answers`);
    const kind = buf[at]!;
    if (kind === ANSWER_NONE) {
      answers.push(null);
      at += 1;
    } else if (kind === ANSWER_UNSUPPORTED) {
      answers.push('unsupported');
      at += 1;
    } else if (kind === ANSWER_HIT) {
      if (end - at < 9) throw new ProtocolError(`response frame ends inside answer ${i}`);
      answers.push({ line: v.getUint32(at + 1, true), nameOffset: v.getUint32(at + 5, true) });
      at += 9;
    } else {
      throw new ProtocolError(`answer ${i} has unknown kind ${kind}`);
    }
  }
  if (at !== end) throw new ProtocolError(`response frame has ${end - at} byte(s) after its ${count} answers`);
  return { answers, bytes: end };
}
