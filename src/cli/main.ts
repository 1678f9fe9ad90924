#!/usr/bin/env node
// The `tickwork` binary (`npx tickwork --help`). It runs from the built package, so a kernel it loads
// shares this process's copy of `tickwork` (one command registry).
import { runCli } from './program.js';

// A reader that stops early (`tickwork history | head -1`) closes the pipe. What is left to print has
// no reader; the command carries on — a run it started still records its outcome — and exits with its
// own code, instead of dying on the unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
