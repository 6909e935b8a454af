import { EXIT, InputError, UsageError } from '../errors.js';
import { ElfFormatError, parseElf } from '../elf/elf-file.js';
import { columnsFromDwarf } from '../generator/dwarf-entries.js';
import { encodeColumnar } from '../generator/columnar-encode.js';
import type { GeneratorMode } from '../generator/dwarf-entries.js';
import { generatorRules } from '../generator/generator-rules.js';
import type { GeneratorRules } from '../generator/generator-rules.js';
import { loadEncoderInput } from '../input/load-entries.js';
import { isElf, readInputFile } from '../input/load-input.js';
import { columnCount, lineTableFromColumns } from '../model/line-table.js';
import type { ColumnarLineTable, LineTable } from '../model/line-table.js';
import type { Layout } from '../revisions/layout.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import { refuseOutputOverInput, sameRegularFile } from '../output/same-file.js';
import { resolve } from 'node:path';
import type { Endian } from '../format/endian.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { layoutById } from '../revisions/registry.js';
import type { Command } from './command.js';
import { embedBlobsInto, embedInto } from './embed-command.js';
import { moduleSectionTables } from '../generator/section-tables.js';
import type { SectionedRevision } from '../generator/section-tables.js';
import { moduleBlobsAsm } from '../generator/section-asm.js';
import { encodeModuleBlobs } from '../generator/module-blobs.js';
import { LAYOUT_TRAITS } from '../revisions/layout-id.js';
import type { CommandIo } from './command.js';
import { entryListCount } from '../model/line-table.js';
import { endianOption, layoutOption, parseCommandArgs, str, layoutList } from './options.js';

interface Source {
  /** ELF input: the generator's table in columns (encoded without Entry objects where the layout allows) */
  table: LineTable | ColumnarLineTable;
  container: 'module' | 'vmlinux';
  revision?: LayoutId;
  endian?: Endian;
  elf: boolean;
  note?: string;
}

function loadSource(path: string, forced: GeneratorMode | undefined, rules: GeneratorRules): Source {
  const bytes = readInputFile(path);
  if (!isElf(bytes)) {
    if (forced) throw new UsageError('--module/--vmlinux apply to ELF input only');
    const input = loadEncoderInput(path);
    return { table: input.table, container: input.revision?.startsWith('vmlinux') ? 'vmlinux' : 'module', elf: false, ...(input.revision ? { revision: input.revision } : {}), ...(input.endian ? { endian: input.endian } : {}) };
  }
  try {
    const elf = parseElf(bytes, path);
    const d = columnsFromDwarf(elf, forced, rules);
    const s = d.stats;
    const note = `${path}: ${s.rows} DWARF rows, ${s.kept} kept (${s.lineZero} line 0, ${s.otherSection} outside .text, ${s.belowBase} below _text, ${s.pastEtext} at or past _etext, ${s.beyond4GiB} beyond 4 GiB), ${columnCount(d.table.columns)} entries, ${d.table.files.length} files`;
    return { table: d.table, container: d.mode, endian: elf.endian, elf: true, note: [note, ...d.warnings].join('\n') };
  } catch (e) {
    if (e instanceof ElfFormatError) throw new InputError(path, e.offset, e.detail);
    throw e;
  }
}

function encodeSource(layout: Layout, table: LineTable | ColumnarLineTable, endian: Endian): Uint8Array {
  return 'columns' in table ? encodeColumnar(layout, table, endian) : layout.encode(table, endian);
}

/**
 * v5/v7 from a module's DWARF: the per-section tables of both blobs. `-o` takes the persistent
 * blob (`.mod_lineinfo`), `--init-out` the init blob (`.init.mod_lineinfo`); `--asm` writes one
 * assembly file with both; `--embed` a copy of the module with both blobs and their relocations.
 */
function encodeSectioned(input: string, revision: SectionedRevision, values: Record<string, unknown>, output: string, io: CommandIo): number {
  const bytes = readInputFile(input);
  let elf;
  try {
    elf = parseElf(bytes, input);
    const t = moduleSectionTables(elf, revision);
    if (values.verbose) {
      const s = t.stats;
      const tables = [...t.persistent.sections, ...t.init.sections].map((c) => `${c.name} ${entryListCount(c.entries)}`).join(', ') || 'none';
      io.err(`lineinfo: ${input}: ${s.rows} DWARF rows, ${s.kept} kept (${s.lineZero} line 0, ${s.uncovered} outside every covered range, ${s.noFile} without a file; ${s.foreign} from another section, W32), entries per section: ${tables}; ${t.files.length} files\n`);
      for (const w of t.warnings) io.err(`lineinfo: ${w}\n`);
    }
    const endian = endianOption(str(values.endian as string | undefined)) ?? elf.endian;
    const initOut = str(values['init-out'] as string | undefined);
    if (values.asm) {
      if (initOut) throw new UsageError('--asm writes both blobs into one assembly file; --init-out does not apply');
      const text = moduleBlobsAsm(t, { class: elf.class, endian });
      if (output === '-') io.out(text);
      else writeFileAtomic(output, text);
      return EXIT.OK;
    }
    const blobs = encodeModuleBlobs(t, endian);
    if (values.embed) {
      if (initOut) throw new UsageError('--embed puts both blobs into OUT.ko; --init-out does not apply');
      if (output === '-') throw new UsageError('--embed needs -o OUT.ko');
      embedBlobsInto(input, blobs.embed, output, true);
      return EXIT.OK;
    }
    if (output === '-') {
      if (io.stdoutIsTty) throw new UsageError('refusing to write binary section bytes to a terminal; use -o FILE');
      io.out(blobs.persistent.bytes);
    } else {
      writeFileAtomic(output, blobs.persistent.bytes);
    }
    // An init blob without tables is an empty root: num_sections 0.
    if (initOut) writeFileAtomic(initOut, blobs.init?.bytes ?? new Uint8Array(8));
    else if (blobs.init) io.err(`lineinfo: warning: ${input}: .init.text has ${entryListCount(t.init.sections[0]!.entries)} entries; its blob (.init.mod_lineinfo) is not written without --init-out FILE\n`);
    return EXIT.OK;
  } catch (e) {
    if (e instanceof ElfFormatError) throw new InputError(input, e.offset, e.detail);
    throw e;
  }
}

export const encodeCommand: Command = {
  name: 'encode',
  summary: 'encode a line table (JSON, or an ELF object\'s DWARF) into section bytes or assembly',
  usage: `Usage: lineinfo encode INPUT [--revision R] [--endian le|be] (-o OUT | --asm [-o OUT])
                       [--module | --vmlinux] [--embed -o OUT.ko] [--verbose]
       lineinfo encode MODULE.ko --revision v5|v6|v7 (-o OUT [--init-out INIT] | --asm [-o OUT]
                       | --embed -o OUT.ko) [--verbose]

INPUT is either a JSON line table (schemas/encoder-input.schema.json: files[] and entries[] of
{offset, file, line}) or an ELF object with DWARF (-g): a module (.ko, .o; rows of .text, by
their address relocations) or a vmlinux (rows from _text on). Either way the kernel generator's
rules apply, those of the revision given with --revision (an alias keeps its own: vmlinux-v5
stops at _etext, vmlinux-v3 does not): line-0 rows dropped, names made relative to the
compilation directory (from v2 also by the kernel top-level directory scan), files numbered in
first-use order, entries sorted by offset, file, line and de-duplicated (spec/FORMAT.md,
"Encoder" and "Entries from DWARF"). The output is what the kernel's generator
emits: the .mod_lineinfo section bytes for module layouts, the table image (the bytes from
lineinfo_num_entries on) for vmlinux layouts, or with --asm the assembly text.

The sectioned layouts v5 (= v6) and v7 give a module two blobs, one table per covered section:
.mod_lineinfo (.text, .exit.text, and from v7 .noinstr.text) and .init.mod_lineinfo
(.init.text). From a module's DWARF, rows are attributed to these sections by their address
relocations, one file list serves every table, and each descriptor's anchor is 0, for the
relocation that embedding adds against the section's symbol. -o writes .mod_lineinfo,
--init-out the init blob; --asm writes both as the generator does (.quad <section> anchors on
64-bit targets, .long <section>, 0 in target byte order on 32-bit ones), with each table's label
after its .balign 4 (the v5-v7 generator puts it before, W23); --embed adds both blobs with
their relocation sections. A JSON INPUT gives one .text table anchored at 0xffffffff00000000 (an in-memory image).

Options:
  --revision R   layout (default v1 for modules, vmlinux-v1 for vmlinux; overrides the JSON's):
                 ${layoutList(17)}
  --endian E     byte order le or be; default: the ELF's, else the JSON's, else le
  -o, --output F output file, written atomically (temporary file + rename; a device or FIFO is
                 written into); - for stdout. It may not name INPUT (also through a symlink or
                 hard link)
  --asm          write the assembly text instead of bytes
  --module       ELF input: module mode, .text rows with offsets from .text (default for
                 relocatable objects)
  --vmlinux      ELF input: vmlinux mode, offsets from _text (default for linked files)
  --init-out F   v5/v7 from a module: write the init blob (.init.mod_lineinfo) to F (an
                 empty root, num_sections 0, when .init.text has no entries)
  --embed        module ELF input: write a copy of INPUT with the section added as
                 .mod_lineinfo (SHF_ALLOC, 4-byte aligned) to OUT (-o); replaces an existing one
                 (and removes the rest of the old lineinfo: relocation sections, init blob).
                 v5/v7: .mod_lineinfo and .init.mod_lineinfo (SHF_ALLOC, 8-byte aligned) with
                 .rela.* (.rel.* on REL targets) relocating each anchor
  -v, --verbose  report row and entry counts on stderr
  -h, --help     show this help

Exit status: 0 on success, 2 on unreadable or invalid input, a usage error, or an output that
cannot be written (or would be written over INPUT).`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      revision: { type: 'string' },
      endian: { type: 'string' },
      output: { type: 'string', short: 'o' },
      asm: { type: 'boolean' },
      module: { type: 'boolean' },
      vmlinux: { type: 'boolean' },
      embed: { type: 'boolean' },
      'init-out': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    });
    if (values.help) return io.help(this.usage);
    if (positionals.length !== 1) throw new UsageError('encode takes exactly one INPUT');
    const output = str(values.output) ?? (values.asm ? '-' : undefined);
    if (!output) throw new UsageError('encode needs -o OUT (or -o - for standard output)');
    if (values.module && values.vmlinux) throw new UsageError('give either --module or --vmlinux');
    if (values.embed && values.asm) throw new UsageError('--embed writes a module; it does not go with --asm');
    const input = positionals[0]!;
    const initOut = str(values['init-out']);
    refuseOutputOverInput(output, '-o', [input], values.embed ? 'encode never writes its INPUT (lineinfo embed --in-place replaces a module)' : '');
    refuseOutputOverInput(initOut, '--init-out', [input]);
    if (initOut !== undefined && (resolve(initOut) === resolve(output) || sameRegularFile(initOut, output))) throw new UsageError('-o and --init-out name the same file: one blob would overwrite the other');
    const forcedLayout = layoutOption(str(values.revision));
    if (forcedLayout && LAYOUT_TRAITS[forcedLayout].locate === 'sectioned' && isElf(readInputFile(input))) {
      if (values.vmlinux) throw new UsageError(`--revision ${forcedLayout} is a module layout; it does not go with --vmlinux`);
      return encodeSectioned(input, forcedLayout as SectionedRevision, values, output, io);
    }
    if (str(values['init-out'])) throw new UsageError('--init-out applies to v5/v6/v7 encoding of a module ELF');
    // The generator's rules are the requested revision's (an alias such as vmlinux-v5 has its own).
    const source = loadSource(input, values.module ? 'module' : values.vmlinux ? 'vmlinux' : undefined, generatorRules(str(values.revision)));
    if (values.verbose && source.note) io.err(`lineinfo: ${source.note}\n`);
    const layout = layoutById(layoutOption(str(values.revision)) ?? source.revision ?? (source.container === 'vmlinux' ? 'vmlinux-v1' : 'v1'));
    if (source.elf && layout.container !== source.container) {
      throw new UsageError(`--revision ${layout.id} is a ${layout.container} layout, but ${input} is encoded in ${source.container} mode`);
    }
    const endian = endianOption(str(values.endian)) ?? source.endian ?? 'le';
    if (values.embed) {
      if (!source.elf || layout.container !== 'module') throw new UsageError('--embed needs a module ELF INPUT and a module layout');
      if (output === '-') throw new UsageError('--embed needs -o OUT.ko');
      embedInto(input, encodeSource(layout, source.table, endian), output, true);
      return EXIT.OK;
    }
    const table = source.table;
    const data = values.asm ? layout.emitAsm('columns' in table ? lineTableFromColumns(table) : table) : encodeSource(layout, table, endian);
    if (output === '-') {
      if (typeof data !== 'string' && io.stdoutIsTty) throw new UsageError('refusing to write binary section bytes to a terminal; use -o FILE');
      io.out(data);
    } else {
      writeFileAtomic(output, data);
    }
    return EXIT.OK;
  },
};
