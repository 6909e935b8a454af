/**
 * Recognises module frames in kernel log lines: `func+0x1c/0x40 [module]`, optionally with a
 * build id (`[module 3f2a...]`), as printed by %pS / %pB. Everything else passes through.
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

const FRAME = /([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)\/0x([0-9a-f]+) \[([\w-]+)(?: [0-9a-f]+)?\]/g;

/**
 * Lines that print the faulting instruction itself use %pS (no return-address adjustment):
 * x86 `RIP: 0010:`, `EIP:`, arm64 `pc :` and `lr :`, arm `PC is at` / `LR is at`, and the
 * generic `IP:` / `Workqueue:`-free forms. Call-trace lines use %pB (address - 1 is looked up).
 */
const EXACT_MARKERS = /\b(?:RIP|EIP|IP|pc|lr|PC is at|LR is at|NIP|epc|ra)\s*:?\s*(?:[0-9a-f]{4}:)?\s*$/i;

export function findModuleFrames(line: string): ModuleFrame[] {
  const frames: ModuleFrame[] = [];
  FRAME.lastIndex = 0;
  for (let m = FRAME.exec(line); m !== null; m = FRAME.exec(line)) {
    const offset = parseInt(m[2]!, 16);
    const size = parseInt(m[3]!, 16);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size)) continue;
    const before = line.slice(0, m.index);
    frames.push({
      start: m.index,
      end: m.index + m[0].length,
      symbol: m[1]!,
      offset,
      size,
      module: m[4]!,
      returnAddress: !EXACT_MARKERS.test(before),
    });
  }
  return frames;
}

/** True when a frame is already followed by an annotation ` (file:line)`. */
export function alreadyAnnotated(line: string, frame: ModuleFrame): boolean {
  return /^ \([^()\s]+:\d+\)/.test(line.slice(frame.end));
}
