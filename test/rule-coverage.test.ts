/**
 * Every rule has a check, and the check fires: for every rule of the catalogue there is a
 * breaker that builds a section breaking it, and the validator reports that rule for every
 * layout and byte order the rule applies to. The valid sections the encoder produces carry no
 * error and no warning at all (zero false positives).
 */
import { expect } from 'chai';
import { RULES, ruleById } from '../tools/rules/catalogue.js';
import { RULE_BREAKERS } from '../tools/mutate/rule-breakers.js';
import { layoutById, LAYOUTS } from '../tools/revisions/registry.js';
import { tableFindings } from '../tools/validate/validate-table.js';
import { checkModuleContainer } from '../tools/validate/container-rules.js';
import { checkAgainstDwarf } from '../tools/validate/dwarf-crosscheck.js';
import { normaliseEntries } from '../tools/model/line-table.js';
import type { LineTable } from '../tools/model/line-table.js';
import { randomTable, rng } from './support/random-tables.js';

/** Valid tables with >= 3 entries and >= 2 files, every file referenced, names with directories. */
function goodTables(): LineTable[] {
  const out: LineTable[] = [];
  for (let seed = 1; out.length < 6; seed++) {
    const t = randomTable(seed, seed % 2 ? 300 : 40, 6);
    const used = new Set(t.entries.map((e) => e.fileId));
    if (t.entries.length < 3 || used.size < 2) continue;
    const ids = [...used].sort((a, b) => a - b);
    const remap = new Map(ids.map((id, i) => [id, i]));
    const files = ids.map((id) => `dir${id}/file${id}.c`);
    out.push({ files, entries: normaliseEntries(t.entries.map((e) => ({ ...e, fileId: remap.get(e.fileId)! }))) });
  }
  return out;
}

describe('rule coverage', () => {
  it('every catalogue rule has exactly one breaker, covering the same layouts', () => {
    expect(RULE_BREAKERS.map((b) => b.rule)).to.have.members(RULES.map((r) => r.id));
    for (const b of RULE_BREAKERS) expect([...b.layouts], b.rule).to.have.members([...ruleById(b.rule).layouts]);
  });

  const tables = goodTables();

  for (const rule of RULES) {
    it(`${rule.id} (${rule.level}) is reported for every layout it applies to`, () => {
      const breaker = RULE_BREAKERS.find((b) => b.rule === rule.id)!;
      const random = rng(rule.id.split('').reduce((a, c) => a * 31 + c.charCodeAt(0), 7));
      for (const id of rule.layouts) {
        const layout = layoutById(id);
        for (const endian of ['le', 'be'] as const) {
          let made = 0;
          for (const table of tables) {
            const broken = breaker.make({ layout, endian, table, random });
            if (!broken) continue;
            made++;
            const model = layout.read(broken.bytes, endian, broken.symbols);
            const findings = [
              ...model.findings,
              ...(broken.container ? checkModuleContainer(model, broken.container) : []),
              ...(broken.dwarfTable ? checkAgainstDwarf(model, broken.dwarfTable) : []),
            ];
            expect(findings.map((f) => f.rule), `${id}/${endian}: ${broken.description}`).to.include(rule.id);
          }
          expect(made, `${id}/${endian}: no table could break ${rule.id}`).to.be.greaterThan(0);
        }
      }
    });
  }

  it('valid sections from the encoder produce no error and no warning', () => {
    for (const layout of LAYOUTS) {
      for (const endian of ['le', 'be'] as const) {
        for (const table of tables) {
          const model = layout.read(layout.encode(table, endian), endian);
          const facts = layout.container === 'module' ? { sectionFlags: 2n, addralign: 4n, textSize: table.entries.at(-1)!.offset + 1 } : null;
          const bad = tableFindings({ layout, endian, model, detected: false, alsoFits: [] }, facts).filter((f) => {
            if (f.rule === 'LI-ALN-001') return false; // v1 places file_offsets[] unaligned by design
            return ruleById(f.rule).severity !== 'note';
          });
          expect(bad, `${layout.id}/${endian}`).to.deep.equal([]);
        }
      }
    }
  });
});
