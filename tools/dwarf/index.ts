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
  newRowsFor,
  readLineProgram,
  readLineProgramHeader,
  readLineProgramRows,
  runLineProgram,
  type LineEntryFormat,
  type LineFileEntry,
  type LineProgram,
  type LineProgramHeader,
  type LineProgramOptions,
  type LineProgramRowsOptions,
  type LineRow,
  type LineRowSink,
} from './debug-line.js';
export { LineRows, NO_SECTION, ROW_BASIC_BLOCK, ROW_END_SEQUENCE, ROW_EPILOGUE_BEGIN, ROW_IS_STMT, ROW_PROLOGUE_END } from './line-rows.js';
export {
  SectionAddressMap,
  directoryOf,
  fileNamePath,
  fileNamesOf,
  readLineTables,
  readLineUnits,
  sectionIndexForAddress,
  type LineFileName,
  type LineTables,
  type LineUnit,
  type LineUnitInfo,
  type LineUnitSink,
  type ReadLineTablesOptions,
} from './line-tables.js';
