// The one JSON Schema of a season file (`*.season.yaml`). Its episode settings are the episode
// config's own schema without the per-episode keys, so every setting, default and range is
// defined once. `npm run build` writes it to schemas/season-config.schema.json.
import { episodeConfigSchema, type SchemaNode } from '../config/schema';

/** Keys an episode config has that a season sets per episode (or not at all). */
const PER_EPISODE = new Set(['ep_id', 'video', 'sweep']);

/** Episode settings: any key of an episode config except ep_id, video and sweep. */
export const episodeSettingsSchema: SchemaNode = {
  type: 'object', additionalProperties: false,
  description: 'Episode config settings (any key of an *.episode.yaml except ep_id, video and sweep). Relative paths resolve from this file.',
  properties: Object.fromEntries(Object.entries(episodeConfigSchema.properties!).filter(([k]) => !PER_EPISODE.has(k))),
};

const epId = episodeConfigSchema.properties!.ep_id;

const episodeListSchema: SchemaNode = {
  type: 'array', minItems: 1,
  description: 'The episodes, one `{ep_id, video}` each, run in this order.',
  items: {
    type: 'object', additionalProperties: false, required: ['ep_id', 'video'],
    properties: {
      ep_id: { ...epId, description: 'Episode id: names its output folder <output_root>/<ep_id>. Unique within the season.' },
      video: { type: 'string', examples: ['videos/S01E01.mp4'], description: 'The episode\'s video, relative to this file (or absolute).' },
      overrides: { ...episodeSettingsSchema, description: 'Settings of this episode only, over `base`.' },
    },
  },
};

const episodeGlobSchema: SchemaNode = {
  type: 'object', additionalProperties: false, required: ['glob'],
  description: 'The episodes as the videos a glob finds, in path order; the ep_id of each comes from a template.',
  properties: {
    glob: {
      type: 'string', examples: ['videos/S01E*.mp4', 'videos/**/*.mkv'],
      description: 'Videos to run, relative to this file: `*` and `?` within a name, `**` across folders, `{a,b}` alternatives.',
    },
    match: {
      type: 'string', examples: ['(S\\d+E\\d+)'],
      description: 'A regular expression every file name must match; its groups are `{1}`, `{2}`, … in the ep_id template.',
    },
    ep_id: {
      type: 'string', default: '{stem}', examples: ['{stem}', '{1}', 'S01E{index:2}'],
      description: 'ep_id template: `{stem}` the file name without its extension, `{dir}` its folder\'s name, `{index}` its 1-based position (`{index:2}` zero-padded to 2 digits), `{1}`… the groups of `match`.',
    },
    overrides: {
      type: 'object', additionalProperties: { ...episodeSettingsSchema, description: 'Settings of this episode only, over `base`.' },
      description: 'Per-episode settings over `base`, keyed by ep_id.',
    },
  },
};

export const seasonSchema: SchemaNode = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://episode-lab.dev/schemas/season-config.schema.json',
  title: 'Episode Lab season file',
  type: 'object', additionalProperties: false, required: ['episodes'],
  properties: {
    season: {
      type: 'string', pattern: epId.pattern, examples: ['S01'],
      description: 'Season name: names the summary folder <output_root>/seasons/<season>. Default: the file name without .season.yaml.',
    },
    base: {
      description: 'Settings every episode inherits: a path to an *.episode.yaml (all its settings but ep_id, video and sweep), or the settings themselves.',
      anyOf: [
        { type: 'string', examples: ['S01E01.episode.yaml'], description: 'An episode config whose settings every episode inherits, relative to this file.' },
        episodeSettingsSchema,
      ],
    },
    episodes: {
      description: 'A list of `{ep_id, video}`, or `{glob, ep_id}` to take every video a glob finds.',
      anyOf: [episodeListSchema, episodeGlobSchema],
    },
    jobs: {
      type: 'integer', minimum: 1, maximum: 64, default: 1, examples: [1, 2],
      description: 'Episodes run at once on this machine (`episode-run --season`; `--jobs` overrides). Each run uses every core by default: more than 1 helps when decoding leaves cores idle.',
    },
    queue: {
      type: 'string', pattern: '^rediss?://', patternErrorMessage: 'It must be a Redis URL such as redis://127.0.0.1:6379 (rediss:// for TLS).', examples: ['redis://127.0.0.1:6379'],
      description: 'Run on a BullMQ queue in this Redis instead of locally: one job per episode, processed by `episode-worker --queue` on any machine that sees the same paths. `--queue` overrides.',
    },
    retries: {
      type: 'object', additionalProperties: false,
      description: 'Queue runs: how a failed or interrupted episode is tried again. A bad video fails at once, without retries.',
      properties: {
        attempts: {
          type: 'integer', minimum: 1, maximum: 100, default: 3, examples: [3],
          description: 'Tries of each episode\'s job, the first included.',
        },
        backoff: {
          type: 'string', enum: ['fixed', 'exponential'], default: 'exponential',
          description: 'Wait between tries: always `delay_s`, or `delay_s` doubling each time.',
        },
        delay_s: {
          type: 'number', minimum: 0, maximum: 86400, default: 30, examples: [30],
          description: 'Seconds before the first retry.',
        },
      },
    },
    summary_dir: {
      type: 'string', examples: ['data/seasons/S01'],
      description: 'Where season.json and season.csv are written, relative to this file. Default <output_root>/seasons/<season>.',
    },
  },
};
