// `npm run models`: fetch and verify the default ONNX models, print their paths.
import { ensureModels } from './ensure-models';

ensureModels({ log: (msg) => console.error(msg) }).then(
  (paths) => {
    for (const [key, path] of Object.entries(paths)) console.log(`${key}\t${path}`);
  },
  (err: Error) => {
    console.error(err.message);
    process.exitCode = 1;
  },
);
