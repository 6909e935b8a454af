/**
 * Some assemblers round a section's size up (s390x pads to an even size), so a module built from
 * the generator's assembly can end its table with a few zero bytes. Fewer than 4 zero bytes after
 * the name table are section padding, not trailing data (LI-LAY-002).
 */
export function isSectionPadding(bytes: Uint8Array, end: number): boolean {
  const extra = bytes.length - end;
  return extra > 0 && extra < 4 && bytes.subarray(end).every((b) => b === 0);
}
