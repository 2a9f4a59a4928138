// The same in-host suite on a desktop VS Code downloaded by @vscode/test-electron, for machines
// that can reach update.code.visualstudio.com (this project's CI cannot; it uses code-server).
// Usage: npm run test:electron
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeWorkspace } from './workspace';

const ROOT = path.resolve(__dirname, '../..');

(async () => {
  const ws = makeWorkspace(path.join(mkdtempSync(path.join(os.tmpdir(), 'episode-lab-ws-')), 'ws'));
  await runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(ROOT, 'out', 'test', 'extension', 'index.js'),
    launchArgs: [ws.dir, '--disable-extensions', '--disable-workspace-trust'],
  });
})().catch((e) => {
  console.error('FAIL', e);
  process.exit(1);
});
