// The TextMate grammar, tokenized by the engine VS Code uses (vscode-textmate + oniguruma):
// every schema key is highlighted as known, unknown keys are not, values get their scopes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar } from 'vscode-textmate';
import { episodeConfigSchema, type SchemaNode } from '../../server/config/schema';
import { REPO } from './lsp-client';

const GRAMMAR = path.join(REPO, 'syntaxes/episode-config.tmLanguage.json');
const KNOWN = 'support.type.property-name.known.episode-config';
let grammar: IGrammar;

before(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => parseRawGrammar(readFileSync(GRAMMAR, 'utf8'), GRAMMAR),
  });
  grammar = (await registry.loadGrammar('source.episode-config'))!;
});

/** [text, scopes] per token of one line. */
function tokens(line: string): [string, string[]][] {
  return grammar.tokenizeLine(line, INITIAL).tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes]);
}
const scopesOf = (line: string, text: string) => tokens(line).find(([t]) => t === text)?.[1] ?? [];

function schemaKeys(node: SchemaNode): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([k, v]) => [k, ...schemaKeys(v)]);
}

test('every schema key is highlighted as a known key', () => {
  for (const key of new Set(schemaKeys(episodeConfigSchema))) {
    assert.ok(scopesOf(`  ${key}: 1`, key).includes(KNOWN), key);
  }
});

test('unknown keys are keys but not known ones', () => {
  const scopes = scopesOf('  coldown: 24', 'coldown');
  assert.ok(scopes.includes('entity.name.tag.episode-config'));
  assert.ok(!scopes.includes(KNOWN));
  assert.ok(!scopesOf('stride_x: 1', 'stride_x').includes(KNOWN));
});

test('values, flow collections and comments get their scopes', () => {
  const line = 'detector: {model: default, tiles: [3, 2]}  # small faces';
  assert.ok(scopesOf(line, 'model').includes(KNOWN));
  assert.ok(scopesOf(line, 'default').includes('support.constant.episode-config'));
  assert.ok(scopesOf(line, '3').includes('constant.numeric.episode-config'));
  assert.ok(scopesOf(line, ' small faces').includes('comment.line.number-sign.episode-config'));
  assert.ok(scopesOf('  crops: true', 'true').includes('constant.language.boolean.episode-config'));
  assert.ok(scopesOf('video: "a b.mp4"', 'a b.mp4').includes('string.quoted.double.episode-config'));
  assert.ok(scopesOf('video: episodes/S01E01.mp4 # x', 'episodes/S01E01.mp4').includes('string.unquoted.plain.episode-config'));
  assert.ok(scopesOf('stride: 6', '6').includes('constant.numeric.episode-config'));
});
