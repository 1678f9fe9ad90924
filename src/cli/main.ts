#!/usr/bin/env node
// The `tickwork` binary (`npx tickwork --help`). It runs from the built package, so a kernel it loads
// shares this process's copy of `tickwork` (one command registry).
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
