/**
 * Some assemblers round a section's size up to its alignment (s390x does), so a module built
 * from the generator's assembly can end its table with a few zero bytes. Fewer zero bytes than
 * the section's alignment (4; 8 for the sectioned blobs of v5 on) after the last table are
 * section padding, not trailing data (LI-LAY-002).
 */
export function isSectionPadding(bytes: Uint8Array, end: number, alignment = 4): boolean {
  const extra = bytes.length - end;
  return extra > 0 && extra < alignment && bytes.subarray(end).every((b) => b === 0);
}
