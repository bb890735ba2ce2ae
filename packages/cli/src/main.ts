/**
 * The error boundary: runs the command table and turns every outcome into an exit code.
 * Messages name the file and line at fault (the errors carry that); no stack trace unless
 * SEALVEC_DEBUG=1; with --json the error is also a JSON object. Secrets never reach an error
 * message in the first place (core's errors never include them).
 */
import { errorCodeOf, exitCodeOf, EXIT, isCommanderError, NoAccessError, type ExitCode } from './errors.js';
import type { Io } from './io.js';
import { useColor } from './io.js';
import { buildProgram } from './program.js';

export async function run(argv: readonly string[], io: Io): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.OK;
  } catch (e) {
    const code = exitCodeOf(e);
    // Commander has already printed its own usage error (and help/version output).
    if (isCommanderError(e)) return code;
    const json = argv.includes('--json');
    const message = e instanceof Error ? e.message : String(e);
    if (json) {
      const reason = e instanceof NoAccessError ? { reason: e.reason } : {};
      io.stderr.write(`${JSON.stringify({ error: { code: errorCodeOf(e), exit: code, ...reason, message } })}\n`);
    } else {
      const color = useColor(io);
      const label = code === EXIT.UNEXPECTED && !(e instanceof Error && 'exitCode' in e) ? 'unexpected error' : 'error';
      io.stderr.write(`sealvec: ${color ? '\x1b[31m' : ''}${label}${color ? '\x1b[0m' : ''}: ${message}\n`);
      if (io.env.SEALVEC_DEBUG === '1' && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    }
    return code;
  }
}
