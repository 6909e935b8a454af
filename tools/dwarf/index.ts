/** DWARF readers: line tables (.debug_line), unit headers and unit DIEs (.debug_info), sections. */
export { DwarfCursor } from './dwarf-cursor.js';
export { DwarfSections, type DwarfSection } from './dwarf-sections.js';
export { AbbrevTable, readForm, minFormSize, type FormContext, type FormValue, type Abbreviation, type AttributeSpec } from './dwarf-forms.js';
export {
  DebugInfoReader,
  StringResolver,
  readUnitHeader,
  type CompilationUnit,
  type SectionRef,
  type UnitDie,
  type UnitHeader,
} from './debug-info.js';
export {
  lineFileEntry,
  readLineProgram,
  readLineProgramHeader,
  type LineEntryFormat,
  type LineFileEntry,
  type LineProgram,
  type LineProgramHeader,
  type LineProgramOptions,
  type LineRow,
} from './debug-line.js';
export {
  SectionAddressMap,
  directoryOf,
  fileNamePath,
  readLineTables,
  sectionIndexForAddress,
  type LineFileName,
  type LineTables,
  type LineUnit,
  type ReadLineTablesOptions,
} from './line-tables.js';
