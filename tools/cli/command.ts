/** The shape of a subcommand: pure argument handling around the library, I/O through `io`. */
export interface CommandIo {
  out(text: string | Uint8Array): void;
  err(text: string): void;
  /** prints the usage text and returns exit 0 */
  help(usage: string): number;
  readonly stdoutIsTty: boolean;
  /** a live status line on a terminal (stderr), cleared by an empty string; absent elsewhere */
  readonly progress?: (line: string) => void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: string[], io: CommandIo): number | Promise<number>;
}
