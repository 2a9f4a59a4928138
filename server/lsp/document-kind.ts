// Which language a document speaks: an episode config or a season file. Each has its schema;
// hover, completion, quick fixes and diagnostics work from it.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { episodeConfigSchema, type SchemaNode } from '../config/schema';
import { isSeasonFile } from '../season/season-file';
import { seasonSchema } from '../season/season-schema';
import { SEASON_LANGUAGE_ID } from './protocol';

export function isSeasonDocument(doc: TextDocument): boolean {
  return doc.languageId === SEASON_LANGUAGE_ID || isSeasonFile(doc.uri);
}

export function schemaOf(doc: TextDocument): SchemaNode {
  return isSeasonDocument(doc) ? seasonSchema : episodeConfigSchema;
}
