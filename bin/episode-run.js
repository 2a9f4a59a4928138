#!/usr/bin/env node
// Thin launcher: the CLI is bundled to dist/ by `npm run build` (run by `npm ci` via prepare).
require('../dist/cli.js');
