// extensionTestsPath entry: runs the *.test.js files next to it with mocha inside the editor's
// extension host. Rejecting tells the runner (code-server here, @vscode/test-electron
// elsewhere) that tests failed.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 90_000 });
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith('.test.js'))) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      console.log(`IN-HOST TESTS: ${failures} failed`);
      if (failures) reject(new Error(`${failures} in-host test(s) failed`));
      else resolve();
    });
  });
}
