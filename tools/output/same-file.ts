/**
 * Refusing to write an output over one of the command's inputs. Paths are compared by what they
 * name (device and inode), so `./m.ko`, a symlink to it and a hard link of it are all caught;
 * only replacing a module on purpose (`embed --in-place`) may write its input.
 */
import { statSync } from 'node:fs';
import { InputError } from '../errors.js';

/** True when both paths name one existing regular file. */
export function sameRegularFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a, { bigint: true });
    const sb = statSync(b, { bigint: true });
    return sa.isFile() && sb.isFile() && sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * Throws when `output` names one of `inputs`. `option` is how the output was given (`-o`,
 * `--init-out`), `advice` what to do instead.
 */
export function refuseOutputOverInput(output: string | undefined, option: string, inputs: readonly (string | undefined)[], advice = ''): void {
  if (output === undefined || output === '-') return;
  const input = inputs.find((i) => i !== undefined && sameRegularFile(output, i));
  if (input === undefined) return;
  const same = input === output ? 'the input' : `the input ${input}`;
  throw new InputError(output, null, `${option} names ${same}${advice ? `; ${advice}` : ''}`);
}
