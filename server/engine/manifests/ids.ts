// The rules of the ids that name folders (ep_id, run ids), shared by the config schema, the
// layout and the CLI. No imports: the schema and the webview's types reach this file.

/** ep_id and run ids: letters, digits, '.', '_' and '-', never starting with '.' (so never `.` or `..`). */
export const ID_PATTERN = '^[A-Za-z0-9_-][A-Za-z0-9._-]*$';
/** Well under any filesystem's 255-byte name limit, with room for the suffixes added to it. */
export const ID_MAX_LENGTH = 128;
const ID_RE = new RegExp(ID_PATTERN);

export const ID_RULE = `letters, digits, '.', '_' and '-' only, not starting with '.', at most ${ID_MAX_LENGTH} characters`;

/** Why `id` cannot name a folder, or undefined when it can. `what` names it in the message ("ep_id", "--run-id"). */
export function idProblem(what: string, id: unknown): string | undefined {
  if (typeof id !== 'string') return `${what} must be a string`;
  if (id.length > ID_MAX_LENGTH) return `${what} is ${id.length} characters long; at most ${ID_MAX_LENGTH} are allowed`;
  if (!ID_RE.test(id)) return `${what} ${JSON.stringify(id.length > 40 ? id.slice(0, 40) + '…' : id)} is not allowed: use ${ID_RULE}`;
  return undefined;
}
