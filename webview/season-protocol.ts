// Messages between the Season page and the extension host (postMessage only). Types only, so
// both sides import it without pulling code across.
import type { EpisodeRow, SeasonSummary } from '../server/season/season-events';

/** Host → Season page. */
export type SeasonHostMessage =
  /** The whole season: its last season.json, or a run's first and last summary. `running`: cancellable from here. */
  | { type: 'season'; summary: SeasonSummary; running: boolean }
  /** One episode changed while the season runs. */
  | { type: 'episode'; row: EpisodeRow }
  /** The season run from this editor ended (or started). */
  | { type: 'running'; running: boolean };

/** Season page → host. */
export type SeasonPageMessage =
  | { type: 'ready' }
  /** A row was clicked: open that episode's timeline. */
  | { type: 'openEpisode'; epId: string }
  | { type: 'cancel' };
