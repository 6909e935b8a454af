/**
 * spec/FORMAT.md and tools/rules/catalogue.ts must list the same rules: same ids, order, levels
 * and layouts. The spec is what users read; the catalogue is what the code checks.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { LAYOUT_GROUPS, RULES } from '../tools/rules/catalogue.js';
import { LAYOUT_IDS, LAYOUT_TRAITS } from '../tools/revisions/layout-id.js';
import { KAITAI_LAYOUT_IDS } from '../tools/generated/index.js';
import { LAYOUTS } from '../tools/revisions/registry.js';
import { REPO } from './support/cli.js';

interface SpecRule {
  id: string;
  level: string;
  layouts: string[];
}

/** The layouts column lists layout ids or group names (`all`, `compressed`, ...: LAYOUT_GROUPS). */
function expandLayouts(column: string): string[] {
  const named = column.split(',').map((s) => s.trim().replace(/^`|`$/g, ''));
  const set = new Set(named.flatMap((n) => (Object.hasOwn(LAYOUT_GROUPS, n) ? [...LAYOUT_GROUPS[n as keyof typeof LAYOUT_GROUPS]] : [n])));
  return LAYOUT_IDS.filter((id) => set.has(id)).concat([...set].filter((n) => !(LAYOUT_IDS as readonly string[]).includes(n)));
}

function specRules(): SpecRule[] {
  const text = readFileSync(`${REPO}spec/FORMAT.md`, 'utf8');
  const section = text.split(/^## Rules\s*$/m)[1];
  if (!section) throw new Error('spec/FORMAT.md has no "## Rules" section');
  const table = section.split(/^## /m)[0]!;
  return table
    .split('\n')
    .map((l) => /^\|\s*(LI-[A-Z]{3}-\d{3})\s*\|\s*(MUST|SHOULD)\s*\|\s*([^|]+)\|/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ id: m[1]!, level: m[2]!, layouts: expandLayouts(m[3]!) }));
}

describe('spec/FORMAT.md rule table', () => {
  it('lists exactly the catalogue rules, in order, with the same levels and layouts', () => {
    const spec = specRules();
    expect(spec.map((r) => r.id)).to.deep.equal(RULES.map((r) => r.id));
    for (const rule of RULES) {
      const s = spec.find((r) => r.id === rule.id)!;
      expect(s.level, rule.id).to.equal(rule.level);
      expect(s.layouts, rule.id).to.deep.equal([...rule.layouts]);
    }
  });

  it('uses unique ids and only registered layouts', () => {
    expect(new Set(RULES.map((r) => r.id)).size).to.equal(RULES.length);
    for (const r of RULES) for (const l of r.layouts) expect(LAYOUT_IDS).to.include(l);
  });

  it('MUST rules are errors and SHOULD rules are not', () => {
    for (const r of RULES) expect(r.severity === 'error', r.id).to.equal(r.level === 'MUST');
  });

  it('every registered layout has a section in the spec', () => {
    const text = readFileSync(`${REPO}spec/FORMAT.md`, 'utf8');
    for (const l of LAYOUTS) expect(text, l.id).to.match(new RegExp('^#{2,4} Layout ' + l.id + '$', 'm'));
  });

  it('the layout ids agree everywhere: traits, registry, schemas/layout-id.schema.json, generated parsers', () => {
    expect(LAYOUTS.map((l) => l.id)).to.deep.equal([...LAYOUT_IDS]);
    for (const l of LAYOUTS) expect(l.traits, l.id).to.equal(LAYOUT_TRAITS[l.id]);
    for (const l of LAYOUTS) expect(l.container, l.id).to.equal(l.traits.container);
    const schema = JSON.parse(readFileSync(`${REPO}schemas/layout-id.schema.json`, 'utf8')) as { enum: string[] };
    expect(schema.enum).to.deep.equal([...LAYOUT_IDS]);
    expect([...KAITAI_LAYOUT_IDS].sort()).to.deep.equal([...LAYOUT_IDS].sort());
  });
});
