import { EXIT, InputError, UsageError } from '../errors.js';
import { embedSection } from '../elf/elf-embed.js';
import { ElfFormatError, parseElf } from '../elf/elf-file.js';
import { anchorRelocation, embedLineinfoBlobs } from '../elf/embed-blobs.js';
import type { BlobToEmbed } from '../elf/embed-blobs.js';
import { anchorsOfBlob } from '../generator/module-blobs.js';
import { INIT_BLOB, PERSISTENT_BLOB } from '../generator/section-tables.js';
import type { SectionedRevision } from '../generator/section-tables.js';
import { LAYOUT_TRAITS } from '../revisions/layout-id.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { MODULE_SECTION, readInputFile } from '../input/load-input.js';
import { detectLayout } from '../revisions/detect.js';
import { ruleById } from '../rules/catalogue.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import { refuseOutputOverInput } from '../output/same-file.js';
import type { Command } from './command.js';
import { layoutOption, parseCommandArgs, str } from './options.js';

const SHF_ALLOC = 0x2n;

/**
 * The library's refusal says "pass replace" (its option); on the command line the option is
 * --replace, so sections that would be replaced are looked for here first, in the library's order.
 */
function refuseExistingSections(module: Uint8Array, modulePath: string, names: readonly string[]): void {
  let elf;
  try {
    elf = parseElf(module, modulePath);
  } catch {
    return; // embedding reports the malformed file itself
  }
  for (const name of names) {
    const existing = elf.sectionByName(name);
    if (existing) throw new InputError(modulePath, existing.headerOffset, `section ${name} already exists (section ${existing.index}); pass --replace to overwrite it`);
  }
}

/** The sections that embedding these blobs adds: each blob, then its relocation section. */
function blobSectionNames(module: Uint8Array, modulePath: string, blobs: readonly BlobToEmbed[]): string[] {
  let rela: boolean;
  try {
    rela = anchorRelocation(parseElf(module, modulePath)).rela;
  } catch {
    return []; // an unsupported target: embedding says so
  }
  return blobs.flatMap((b) => [b.name, `${rela ? '.rela' : '.rel'}${b.name}`]);
}

/** Adds (or replaces) `.mod_lineinfo` in a module and writes the result atomically. */
export function embedInto(modulePath: string, section: Uint8Array, output: string, replace: boolean): void {
  const module = readInputFile(modulePath);
  if (!replace) refuseExistingSections(module, modulePath, [MODULE_SECTION]);
  let out: Uint8Array;
  try {
    out = embedSection(module, modulePath, { name: MODULE_SECTION, data: section, flags: SHF_ALLOC, addralign: 4, replace });
  } catch (e) {
    if (e instanceof ElfFormatError) throw new InputError(modulePath, e.offset, e.detail);
    throw e;
  }
  writeFileAtomic(output, out);
}

/** Adds (or replaces) the sectioned blobs with their anchor relocations and writes the result atomically. */
export function embedBlobsInto(modulePath: string, blobs: readonly BlobToEmbed[], output: string, replace: boolean): void {
  const module = readInputFile(modulePath);
  if (!replace) refuseExistingSections(module, modulePath, blobSectionNames(module, modulePath, blobs));
  let out: Uint8Array;
  try {
    out = embedLineinfoBlobs(module, modulePath, blobs, { replace });
  } catch (e) {
    if (e instanceof ElfFormatError) throw new InputError(modulePath, e.offset, e.detail);
    throw e;
  }
  writeFileAtomic(output, out);
}

/** The layout a blob file fits (null when none fits and --force was not given a layout). */
function blobLayout(path: string, bytes: Uint8Array, force: boolean, revision: LayoutId | undefined): LayoutId | null {
  if (revision) return revision;
  const d = detectLayout(bytes, 'module');
  if (d.fitting.length === 0) {
    if (force) return null;
    const first = d.best.model.findings.find((f) => ruleById(f.rule).level === 'MUST') ?? null;
    throw new InputError(path, first?.offset ?? 0, `not a valid module lineinfo section (${first ? `${first.rule}: ${first.message}` : 'no layout fits'}); --force embeds it anyway`);
  }
  return d.best.layout.id;
}

export const embedCommand: Command = {
  name: 'embed',
  summary: 'add a .mod_lineinfo section to a module (SHF_ALLOC, read-only, 4-byte aligned)',
  usage: `Usage: lineinfo embed MODULE.ko SECTION.bin [--init INIT.bin] (-o OUT.ko | --in-place)
                      [--replace] [--force] [--revision v5|v6|v7]

Adds SECTION.bin to MODULE.ko as .mod_lineinfo: SHF_ALLOC, read-only, 4-byte aligned (objcopy
--add-section gives 1, which lets the loader place it misaligned). Every other section, symbol
and relocation keeps its bytes and meaning. Only relocatable objects (.ko, .o) are accepted.

A sectioned blob (v5 = v6, v7; detected, or given by --revision) is added as .mod_lineinfo
(SHF_ALLOC, 8-byte aligned) with .rela.mod_lineinfo (.rel.mod_lineinfo on REL targets such as
i386 and arm): one absolute relocation per descriptor anchor (R_*_64 on 64-bit targets, the
32-bit one on the low word on 32-bit targets) against the STT_SECTION symbol of the section it
covers, found by the generator's descriptor order and the descriptor's size (when two covered
sections have one size, the module's DWARF tells which has a table); a missing section symbol
is added to .symtab. --init INIT.bin adds .init.mod_lineinfo (for .init.text) likewise.

Options:
  -o, --output F  write the result to F (temporary file + rename; a device or FIFO is written
                  into); F may not name MODULE.ko, SECTION.bin or INIT.bin (also through a
                  symlink or hard link)
  --in-place      replace MODULE.ko itself (atomically, keeping its mode); the input is never
                  written otherwise
  --init F        v5/v7: also add the init blob F as .init.mod_lineinfo
  --revision R    v5, v6 or v7: take SECTION.bin (and INIT.bin) as that layout (v5 and v7 have
                  the same bytes; they differ in the descriptor order of .noinstr.text)
  --replace       replace an existing .mod_lineinfo instead of failing; the rest of the old
                  lineinfo (its relocation sections, .init.mod_lineinfo) is removed with it
  --force         embed even if SECTION.bin is not a valid module lineinfo section
  -h, --help      show this help

Exit status: 0 on success, 2 on a usage error or unreadable, malformed or unwritable files.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      output: { type: 'string', short: 'o' },
      'in-place': { type: 'boolean' },
      replace: { type: 'boolean' },
      force: { type: 'boolean' },
      init: { type: 'string' },
      revision: { type: 'string' },
    });
    if (values.help) return io.help(this.usage);
    if (positionals.length !== 2) throw new UsageError('embed takes MODULE.ko and SECTION.bin');
    const [modulePath, sectionPath] = positionals as [string, string];
    const output = values['in-place'] ? modulePath : str(values.output);
    if (!output) throw new UsageError('embed needs -o OUT.ko or --in-place');
    if (values['in-place'] && str(values.output)) throw new UsageError('give either -o or --in-place, not both');
    const initPath = str(values.init);
    if (!values['in-place']) refuseOutputOverInput(output, '-o', [modulePath], 'use --in-place to replace the module');
    refuseOutputOverInput(output, values['in-place'] ? '--in-place' : '-o', [sectionPath, initPath]);
    const section = readInputFile(sectionPath);
    const forced = layoutOption(str(values.revision));
    const layout = blobLayout(sectionPath, section, values.force === true, forced);
    if (layout !== null && LAYOUT_TRAITS[layout].locate === 'sectioned') {
      const elf = (() => {
        try {
          return parseElf(readInputFile(modulePath), modulePath);
        } catch (e) {
          if (e instanceof ElfFormatError) throw new InputError(modulePath, e.offset, e.detail);
          throw e;
        }
      })();
      // v5 and v7 bytes are alike: the covered sections tell them apart (v7 adds .noinstr.text).
      const revision: SectionedRevision = forced === 'v5' ? 'v5' : 'v7';
      const blobs = [anchorsOfBlob(elf, PERSISTENT_BLOB, section, elf.endian, revision, sectionPath)];
      if (initPath) {
        const init = readInputFile(initPath);
        blobLayout(initPath, init, values.force === true, forced ?? layout);
        blobs.push(anchorsOfBlob(elf, INIT_BLOB, init, elf.endian, revision, initPath));
      }
      embedBlobsInto(modulePath, blobs, output, values.replace === true);
      return EXIT.OK;
    }
    if (initPath) throw new UsageError('--init applies to sectioned (v5, v6, v7) blobs only');
    embedInto(modulePath, section, output, values.replace === true);
    return EXIT.OK;
  },
};
