// Messages between the Identities page and the extension host (postMessage only). Types only, so
// both sides import it without pulling code across.

export interface IdentityView {
  identity_id: number;
  name: string;
  /** Named by the cast. */
  named: boolean;
  visual_s: number;
  share: number;
  appearances: number;
  tracks: { id: number; first: number; last: number }[];
  /** Webview URL of its best face crop, when the run exported crops. */
  thumbnail?: string;
  /** How many crops a Name would save into the cast folder. */
  crops: number;
}

export interface IdentitiesSnapshot {
  epId: string;
  runId?: string;
  /** Frames in the episode: the lanes' axis. */
  frames: number;
  fps: number;
  identities: IdentityView[];
  unassigned: number;
  castDir: string;
  labelsFile: string;
}

/** Host → Identities page. */
export type IdentitiesHostMessage =
  | { type: 'identities'; snapshot: IdentitiesSnapshot | undefined; note?: string }
  /** What an edit did, in one line. */
  | { type: 'notice'; text: string; error?: boolean };

/** Identities page → host. */
export type IdentitiesPageMessage =
  | { type: 'ready' }
  /** Save the identity's best crops into cast_dir/<name>/, so the next run names it. */
  | { type: 'name'; identityId: number; name: string }
  /** The two identities are one person (a must-link in the labels file). */
  | { type: 'merge'; identityIds: [number, number] }
  /** The track is not the identity's person (cannot-links to its other tracks). */
  | { type: 'split'; identityId: number; trackId: number };
