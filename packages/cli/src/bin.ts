#!/usr/bin/env node
import { processIo } from './io.js';
import { run } from './main.js';

const code = await run(process.argv.slice(2), processIo());
// stdout and stderr are synchronous for files and pipes on POSIX, so nothing is lost by exiting
// now; exiting explicitly keeps a stray handle (a socket, stdin left open) from holding the process.
process.exit(code);
