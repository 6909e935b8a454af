import { EXIT, InputError, UsageError } from '../errors.js';
import { embedSection } from '../elf/elf-embed.js';
import { ElfFormatError } from '../elf/elf-file.js';
import { MODULE_SECTION, readInputFile } from '../input/load-input.js';
import { detectLayout } from '../revisions/detect.js';
import { ruleById } from '../rules/catalogue.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import type { Command } from './command.js';
import { parseCommandArgs, str } from './options.js';

const SHF_ALLOC = 0x2n;

/** Adds (or replaces) `.mod_lineinfo` in a module and writes the result atomically. */
export function embedInto(modulePath: string, section: Uint8Array, output: string, replace: boolean): void {
  const module = readInputFile(modulePath);
  let out: Uint8Array;
  try {
    out = embedSection(module, modulePath, { name: MODULE_SECTION, data: section, flags: SHF_ALLOC, addralign: 4, replace });
  } catch (e) {
    if (e instanceof ElfFormatError) throw new InputError(modulePath, e.offset, e.detail);
    throw e;
  }
  writeFileAtomic(output, out);
}

export const embedCommand: Command = {
  name: 'embed',
  summary: 'add a .mod_lineinfo section to a module (SHF_ALLOC, read-only, 4-byte aligned)',
  usage: `Usage: lineinfo embed MODULE.ko SECTION.bin (-o OUT.ko | --in-place) [--replace] [--force]

Adds SECTION.bin to MODULE.ko as .mod_lineinfo: SHF_ALLOC, read-only, 4-byte aligned (objcopy
--add-section gives 1, which lets the loader place it misaligned). Every other section, symbol
and relocation keeps its bytes and meaning. Only relocatable objects (.ko, .o) are accepted.

Options:
  -o, --output F  write the result to F (temporary file + rename)
  --in-place      replace MODULE.ko itself (atomically); the input is never written otherwise
  --replace       replace an existing .mod_lineinfo instead of failing
  --force         embed even if SECTION.bin is not a valid module lineinfo section
  -h, --help      show this help

Exit status: 0 on success, 2 on a usage error or unreadable, malformed or unwritable files.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      output: { type: 'string', short: 'o' },
      'in-place': { type: 'boolean' },
      replace: { type: 'boolean' },
      force: { type: 'boolean' },
    });
    if (values.help) return io.help(this.usage);
    if (positionals.length !== 2) throw new UsageError('embed takes MODULE.ko and SECTION.bin');
    const [modulePath, sectionPath] = positionals as [string, string];
    const output = values['in-place'] ? modulePath : str(values.output);
    if (!output) throw new UsageError('embed needs -o OUT.ko or --in-place');
    if (values['in-place'] && str(values.output)) throw new UsageError('give either -o or --in-place, not both');
    const section = readInputFile(sectionPath);
    if (!values.force) {
      const d = detectLayout(section, 'module');
      if (d.fitting.length === 0) {
        const first = d.best.model.findings.find((f) => ruleById(f.rule).level === 'MUST') ?? null;
        throw new InputError(sectionPath, first?.offset ?? 0, `not a valid module lineinfo section (${first ? `${first.rule}: ${first.message}` : 'no layout fits'}); --force embeds it anyway`);
      }
    }
    embedInto(modulePath, section, output, values.replace === true);
    return EXIT.OK;
  },
};
