#!/usr/bin/env node
import { runCli } from './program.js';
import { ignoreClosedPipes } from './output/closed-pipes.js';

ignoreClosedPipes(process.stdout, process.stderr);
process.exitCode = await runCli(process.argv.slice(2));
