// Loading an ONNX model whose single input and output must have known shapes, with one clear
// error when they do not (a wrong file given in the config is the usual cause).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { sessionOptions } from '../models/session-options';

export interface ModelSpec {
  /** What the model should be, for the error ("a 68-point landmark model"). */
  family: string;
  input: readonly number[];
  output: readonly number[];
}

export interface LoadedModel {
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
  /** First 12 hex digits of the file's sha256: names the weights in model ids. */
  hash: string;
}

export async function loadModel(path: string, spec: ModelSpec, threads: number): Promise<LoadedModel> {
  const bytes = await readFile(path);
  const session = await ort.InferenceSession.create(bytes, sessionOptions(threads));
  const [input] = session.inputMetadata;
  const [output] = session.outputMetadata;
  const ok =
    session.inputMetadata.length === 1 && session.outputMetadata.length === 1 &&
    fits(input, spec.input) && fits(output, spec.output);
  if (!ok) {
    await session.release();
    throw new Error(
      `${path} is not ${spec.family}: expected input shape [${spec.input.join(',')}] and output shape ` +
        `[${spec.output.join(',')}]; got inputs ${describe(session.inputMetadata)} and outputs ${describe(session.outputMetadata)}`,
    );
  }
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return { session, inputName: input.name, outputName: output.name, hash };
}

/** Symbolic or -1 dimensions (a dynamic batch) accept the expected size. */
function fits(m: ort.InferenceSession.ValueMetadata, want: readonly number[]): boolean {
  if (!m.isTensor || m.shape.length !== want.length) return false;
  return m.shape.every((d, i) => typeof d !== 'number' || d < 0 || d === want[i]);
}

function describe(list: readonly ort.InferenceSession.ValueMetadata[]): string {
  return list.map((m) => `'${m.name}' ${m.isTensor ? `[${m.shape.join(',')}]` : '(not a tensor)'}`).join(', ') || 'none';
}
