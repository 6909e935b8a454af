/**
 * A short hex excerpt of the bytes a diagnostic points at: at most two 16-byte rows, the
 * offending bytes marked with [ ] (and in colour on a terminal).
 */
export interface Paint {
  mark(text: string): string;
  dim(text: string): string;
}

export const NO_COLOUR: Paint = { mark: (t) => t, dim: (t) => t };
export const ANSI: Paint = { mark: (t) => `\x1b[1;31m${t}\x1b[0m`, dim: (t) => `\x1b[2m${t}\x1b[0m` };

export function hexExcerpt(bytes: Uint8Array, offset: number, length: number, paint: Paint, rows = 2): string[] {
  if (bytes.length === 0 || offset >= bytes.length) return [];
  const end = Math.min(bytes.length, offset + Math.max(length, 1));
  const first = Math.floor(offset / 16) * 16;
  const lines: string[] = [];
  for (let row = first; row < end && lines.length < rows; row += 16) {
    let text = '';
    let open = false;
    for (let i = row; i < row + 16; i++) {
      const inside = i >= offset && i < end;
      const cell = i < bytes.length ? bytes[i]!.toString(16).padStart(2, '0') : '  ';
      if (inside && !open) {
        text += '[';
        open = true;
      } else if (!inside && open) {
        text += ']';
        open = false;
      } else text += ' ';
      text += inside ? paint.mark(cell) : cell;
    }
    if (open) text += ']';
    lines.push(`${paint.dim(`0x${row.toString(16).padStart(6, '0')}:`)}${text}`);
  }
  if (end > first + rows * 16) lines.push(paint.dim(`          ... ${end - (first + rows * 16)} more byte(s)`));
  return lines;
}
