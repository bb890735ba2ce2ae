#!/usr/bin/env node
import { processIo } from './io.js';
import { run } from './main.js';

// `sealvec ... | head`: a closed pipe ends the command quietly, like other Unix tools.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await run(process.argv.slice(2), processIo());
// stdout and stderr are synchronous for files and pipes on POSIX, so nothing is lost by exiting
// now; exiting explicitly keeps a stray handle (a socket, stdin left open) from holding the process.
process.exit(code);
