/**
 * The `lineinfo` command run in-process (the code bin.ts runs, without a build), its standard
 * output and error collected: for tests that need no separate process.
 */
import { main } from '../../tools/cli/main.js';
import type { CommandIo } from '../../tools/cli/command.js';

export async function cli(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = {
    // binary output as latin1: one character per byte
    out: (t) => (out += typeof t === 'string' ? t : Buffer.from(t).toString('latin1')),
    err: (t) => (err += t),
    help: (u) => ((out += u), 0),
    stdoutIsTty: false,
  };
  const status = await main(args, io);
  return { status, out, err };
}
