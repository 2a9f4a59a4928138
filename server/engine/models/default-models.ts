/** The pinned default weights (DESIGN §6): one npm tarball, three files, sha256 each. */
export const MODEL_PACKAGE = { name: 'faceplugin-face-recognition-js', version: '0.0.1' } as const;

export type ModelKey = 'detect' | 'landmark' | 'feature';

export interface ModelFile {
  key: ModelKey;
  file: string;
  /** Path of the file inside the tarball. */
  member: string;
  sha256: string;
}

const file = (key: ModelKey, name: string, sha256: string): ModelFile => ({
  key,
  file: name,
  member: `package/model/${name}`,
  sha256,
});

export const DEFAULT_MODELS: readonly ModelFile[] = [
  file('detect', 'fr_detect.onnx', '6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854'),
  file('landmark', 'fr_landmark.onnx', 'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258'),
  file('feature', 'fr_feature.onnx', '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581'),
];
