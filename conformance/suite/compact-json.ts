/**
 * JSON text that stays readable and diffable for large manifests: objects and arrays are broken
 * over lines only when they do not fit on one line of `width` characters. Deterministic.
 */
export function compactJson(value: unknown, width = 160): string {
  return format(value, '', width) + '\n';
}

function format(value: unknown, indent: string, width: number): string {
  const flat = JSON.stringify(value);
  if (flat === undefined) throw new TypeError('value is not JSON');
  if (value === null || typeof value !== 'object' || indent.length + flat.length <= width) return flat;
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    // arrays of scalars or small objects: pack several per line
    if (value.every((v) => v === null || typeof v !== 'object' || JSON.stringify(v).length <= 90)) {
      const lines: string[] = [];
      let line = '';
      for (const v of value) {
        const t = JSON.stringify(v);
        if (line && inner.length + line.length + t.length + 2 > width) {
          lines.push(line + ',');
          line = '';
        }
        line += (line ? ', ' : '') + t;
      }
      lines.push(line);
      return `[\n${lines.map((l) => inner + l).join('\n')}\n${indent}]`;
    }
    return `[\n${value.map((v) => inner + format(v, inner, width)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner, width)}`).join(',\n')}\n${indent}}`;
}
