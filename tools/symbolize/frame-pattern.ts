/**
 * Recognises module frames in kernel log lines: `func+0x1c/0x40 [module]`, optionally with a
 * build id (`[module 3f2a...]`), as printed by %pS / %pB. Everything else passes through.
 * Lines are latin1 strings (one character per byte), so any byte sequence can be matched and
 * written back unchanged; the pattern itself is ASCII.
 */

export interface ModuleFrame {
  /** index in the line where the frame text starts and where its closing `]` ends */
  readonly start: number;
  readonly end: number;
  readonly symbol: string;
  readonly offset: number;
  readonly size: number;
  readonly module: string;
  /** true when the line prints a return address (%pB: call traces), false for %pS (RIP/pc) */
  readonly returnAddress: boolean;
}

// The look-behind makes a position inside a word fail at once: without it, every start inside a
// long run of word characters rescans the run (quadratic on long lines).
const FRAME = /(?<![\w.$])([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)\/0x([0-9a-f]+) \[([\w-]+)(?: [0-9a-f]+)?\]/g;

/**
 * Register dumps print the saved program counter and link register with %pS: the address itself,
 * no return-address adjustment. The marker stands before the symbol, possibly with the raw
 * address (or a segment, or the PSW mask) in between:
 *   x86     `RIP: 0010:func+...`, `EIP: func+...`, older `RIP: 0010:[<addr>]  [<addr>] func+...`,
 *           `IP: [<addr>] func+...`, i386 `EIP is at func+...`
 *   arm64   `pc : func+...`, `lr : func+...`
 *   arm     `PC is at func+...`, `LR is at func+...`
 *   powerpc `NIP [addr] func+...`, `LR [addr] func+...`, `LR = func+...` (exception frames)
 *   s390    `Krnl PSW : mask addr (func+...)`
 *   riscv   `epc : func+...`, ` ra : func+...`
 * Markers are matched with the case the kernel prints (so a call-trace frame named e.g. `ra_x` or
 * a word ending in `pc` is not mistaken for one). Every other frame is a return address (%pB).
 */
const EXACT_MARKER = /(?:^|[^\w])(?:RIP|EIP|IP|pc|lr|NIP|LR|epc|ra|PC is at|LR is at|EIP is at|Krnl PSW)\s*[:=]?\s*(?:(?:\[<?[0-9a-f]+>?\]|[0-9a-f]{4}:|[0-9a-f]{8,16}\b)\s*)*\(?$/;

/** Markers and the addresses after them are short; a bounded look-back keeps long lines linear. */
const MARKER_LOOKBACK = 160;

export function findModuleFrames(line: string): ModuleFrame[] {
  const frames: ModuleFrame[] = [];
  FRAME.lastIndex = 0;
  for (let m = FRAME.exec(line); m !== null; m = FRAME.exec(line)) {
    const offset = parseInt(m[2]!, 16);
    const size = parseInt(m[3]!, 16);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size)) continue;
    const before = line.slice(Math.max(0, m.index - MARKER_LOOKBACK), m.index);
    frames.push({
      start: m.index,
      end: m.index + m[0].length,
      symbol: m[1]!,
      offset,
      size,
      module: m[4]!,
      returnAddress: !EXACT_MARKER.test(before),
    });
  }
  return frames;
}

/** True when a frame is already followed by an annotation ` (file:line)`. */
export function alreadyAnnotated(line: string, frame: ModuleFrame): boolean {
  return /^ \([^()\s]+:\d+\)/.test(line.slice(frame.end));
}
