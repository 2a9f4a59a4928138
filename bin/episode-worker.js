#!/usr/bin/env node
// Thin launcher: the worker is bundled to dist/ by `npm run build` (run by `npm ci` via prepare).
require('../dist/episode-worker.js');
