// One run per episode at a time, across processes and hosts: the folder episode.lock/ in the
// episode folder, holding owner.json (pid, host, start time, what holds it).
//
// Taking it: a fresh folder episode.lock.<nonce>.new/ with owner.json inside is renamed to
// episode.lock/. Renaming a folder onto an existing non-empty folder fails, so of several
// processes racing exactly one wins, and nobody ever sees the lock without its owner.
//
// When a holder is dead:
// - On this machine (same hostname and, on Linux, the same PID namespace): its pid is gone, or
//   now belongs to a process started later (a reused pid).
// - On another machine (a worker sharing the folder over NFS): its pid means nothing here, so
//   the holder rewrites owner.json every HEARTBEAT_MS, and its lock is dead only after no
//   heartbeat for STALE_MS, judged by the newer of the file's mtime and the time written in it
//   (host clocks must agree to within a minute or so). A live lock of another host is never
//   taken. A holder that was paused that long and lost its lock notices at its next heartbeat
//   or check(), and fails rather than write into the episode again.
// Taking over from a dead holder: episode.lock/ is renamed to episode.lock.ino<its inode>.stale/.
// A second process trying the same finds that name taken (a non-empty folder) and fails, so one
// process takes over; then it takes the lock as usual, and removes the stale folder. (Whoever
// moved a lock that was not the dead one, the inode tells, and it is put back.)
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeJsonAtomic } from './atomic-file';
import type { EpisodeLayout } from './layout';

export const HEARTBEAT_MS = 30_000;
export const STALE_MS = 5 * 60_000;
/** .stale/.new/.released folders a killed process left, older than this, are removed by the next holder. */
const LEFTOVER_MS = 60_000;
const OWNER_FILE = 'owner.json';

export interface LockOwner {
  pid: number;
  host: string;
  /** Linux: the PID namespace; containers that share a hostname differ here. */
  pid_ns?: string;
  /** Linux: the process's start, in clock ticks since boot; tells a reused pid apart. */
  pid_start?: number;
  started_at: string;
  heartbeat_at: string;
  /** What holds the episode: "run", "sweep", "clear-cache", … */
  purpose: string;
  run_id?: string;
  nonce: string;
}

/** A second run of a busy episode is refused with this: one line naming the holder. */
export class EpisodeBusyError extends Error {
  constructor(readonly holder: LockOwner, readonly lockDir: string, epId: string) {
    super(`episode ${epId} is busy: ${describeHolder(holder)} holds it; wait for it to finish or cancel it (lock: ${lockDir})`);
    this.name = 'EpisodeBusyError';
  }
}

/** "run 20250101-120000-ab12 (pid 4242 on host-a, since 2025-01-01 12:00:00 UTC)" */
export function describeHolder(o: LockOwner): string {
  const what = o.run_id ? `${o.purpose} ${o.run_id}` : o.purpose;
  const since = typeof o.started_at === 'string' ? `, since ${o.started_at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : '';
  return `${what} (pid ${o.pid} on ${o.host}${since})`;
}

export interface LockOptions {
  purpose: string;
  runId?: string;
}

export class EpisodeLock {
  private heartbeat: NodeJS.Timeout | undefined;
  private lostTo: string | undefined;
  private released = false;

  private constructor(
    private readonly layout: EpisodeLayout,
    readonly owner: LockOwner,
    /** The dead holder this lock was taken over from. */
    readonly tookOver: LockOwner | undefined,
  ) {
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS).unref();
  }

  /** Takes the episode's lock, over a dead holder if need be; an EpisodeBusyError names a live one. */
  static async acquire(layout: EpisodeLayout, opts: LockOptions): Promise<EpisodeLock> {
    const now = new Date().toISOString();
    const owner: LockOwner = {
      pid: process.pid, host: os.hostname(), ...processIdentity(process.pid), started_at: now, heartbeat_at: now,
      purpose: opts.purpose, ...(opts.runId ? { run_id: opts.runId } : {}), nonce: randomBytes(6).toString('hex'),
    };
    const lockDir = layout.lockDir;
    const fresh = `${lockDir}.${owner.nonce}.new`;
    try {
      await mkdir(fresh, { recursive: true });
      await writeJsonAtomic(path.join(fresh, OWNER_FILE), owner);
    } catch (e) {
      await rm(fresh, { recursive: true, force: true }).catch(() => undefined);
      throw new Error(`cannot write in ${layout.dir}: ${(e as Error).message}`);
    }
    let tookOver: { owner: LockOwner; grave: string } | undefined;
    try {
      // A few rounds: each failed one means another process changed the lock meanwhile.
      for (let round = 0; round < 8; round++) {
        if (await renamed(fresh, lockDir)) {
          if (tookOver) await rm(tookOver.grave, { recursive: true, force: true });
          void removeLeftovers(lockDir);
          return new EpisodeLock(layout, owner, tookOver?.owner);
        }
        const held = await readLock(layout);
        if (!held) continue; // released meanwhile
        if (held.live) throw new EpisodeBusyError(held.owner ?? unknownOwner(), lockDir, layout.epId);
        // The grave is named after the dead lock itself, so that only one process can move it there.
        const grave = `${lockDir}.ino${held.ino}.stale`;
        if (!(await renamed(lockDir, grave))) continue; // another process took over first
        if ((await stat(grave)).ino !== held.ino) {
          // Between our look and the rename, a new holder replaced the dead one: give it back.
          await renamed(grave, lockDir);
          continue;
        }
        tookOver = { owner: held.owner ?? unknownOwner(), grave };
      }
      throw new Error(`could not take the lock ${lockDir}: it keeps changing hands`);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  }

  /** Rejects when this process no longer holds the lock (it was taken over while paused). */
  async check(): Promise<void> {
    if (this.released) throw new Error(`the lock of episode ${this.layout.epId} was released`);
    const current = await readOwner(this.layout.lockDir).catch(() => undefined);
    if (current?.nonce !== this.owner.nonce) {
      this.lostTo ??= current ? describeHolder(current) : 'nobody (the lock was removed)';
    }
    if (this.lostTo) throw new Error(`episode ${this.layout.epId}: this run lost its lock to ${this.lostTo}; it stops without writing more`);
  }

  /** Gives the episode back (idempotent). A lock already lost is left to its new holder. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    const current = await readOwner(this.layout.lockDir).catch(() => undefined);
    if (current?.nonce !== this.owner.nonce) return;
    // Renamed away first: removing files one by one would show others an empty lock folder.
    const gone = `${this.layout.lockDir}.${this.owner.nonce}.released`;
    if (await renamed(this.layout.lockDir, gone)) await rm(gone, { recursive: true, force: true });
  }

  private async beat(): Promise<void> {
    try {
      await this.check();
      await writeJsonAtomic(path.join(this.layout.lockDir, OWNER_FILE), { ...this.owner, heartbeat_at: new Date().toISOString() });
    } catch {
      // check() remembers a loss; a failed write is retried at the next beat.
    }
  }
}

/** Runs `fn` holding the episode's lock. */
export async function withEpisodeLock<T>(layout: EpisodeLayout, opts: LockOptions, fn: (lock: EpisodeLock) => Promise<T>): Promise<T> {
  const lock = await EpisodeLock.acquire(layout, opts);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

export interface LockState {
  /** Undefined when owner.json cannot be read. */
  owner?: LockOwner;
  /** Whether its holder may still be running (see the top of this file). */
  live: boolean;
  /** The lock folder's inode: who takes over checks that it moved this very lock. */
  ino: number;
}

/** The episode's lock as it is now; undefined when nobody holds it. */
export async function readLock(layout: EpisodeLayout): Promise<LockState | undefined> {
  const dir = layout.lockDir;
  // The folder is looked at before and after its owner is read: the owner must be of the lock
  // that is there (one taken over meanwhile is looked at again).
  for (let attempt = 0; ; attempt++) {
    const before = await stat(dir).catch(() => undefined);
    if (!before) return undefined;
    const owner = await readOwner(dir).catch(() => undefined);
    const file = owner && (await stat(path.join(dir, OWNER_FILE)).catch(() => undefined));
    const after = await stat(dir).catch(() => undefined);
    if (!after) return undefined;
    if ((after.ino !== before.ino || !file) && attempt < 3) continue;
    // Still changing hands: someone is alive there.
    if (after.ino !== before.ino) return { live: true, ino: after.ino };
    if (!owner || !file) return { live: Date.now() - after.mtimeMs < STALE_MS, ino: after.ino };
    return { owner, live: isLive(owner, file.mtimeMs), ino: after.ino };
  }
}

function isLive(o: LockOwner, fileMtimeMs: number): boolean {
  const here = processIdentity(process.pid);
  if (o.host === os.hostname() && o.pid_ns === here.pid_ns) {
    if (!pidExists(o.pid)) return false;
    const start = processIdentity(o.pid).pid_start;
    return o.pid_start === undefined || start === undefined || start === o.pid_start;
  }
  const beat = Math.max(fileMtimeMs, Date.parse(o.heartbeat_at) || 0);
  return Date.now() - beat < STALE_MS;
}

function pidExists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux facts that make a pid unambiguous; empty elsewhere. */
function processIdentity(pid: number): { pid_ns?: string; pid_start?: number } {
  const out: { pid_ns?: string; pid_start?: number } = {};
  try {
    out.pid_ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // not Linux
  }
  try {
    // Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces, so count from its ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    if (Number.isFinite(start)) out.pid_start = start;
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

async function readOwner(dir: string): Promise<LockOwner> {
  const o = JSON.parse(await readFile(path.join(dir, OWNER_FILE), 'utf8')) as LockOwner;
  if (typeof o?.pid !== 'number' || typeof o.host !== 'string' || typeof o.nonce !== 'string') throw new Error(`${dir}: not a lock owner`);
  return o;
}

const unknownOwner = (): LockOwner => ({
  pid: 0, host: 'unknown host', started_at: '', heartbeat_at: '', purpose: 'an unknown process (its owner.json is unreadable)', nonce: '',
});

/** rename(2) as a test-and-set: false when the target is taken (or the source is gone). */
async function renamed(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw e;
  }
}

/** Folders of earlier takeovers, releases and failed attempts, once nobody can race on them. */
async function removeLeftovers(lockDir: string): Promise<void> {
  const parent = path.dirname(lockDir);
  const prefix = `${path.basename(lockDir)}.`;
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith(prefix) || !/\.(stale|new|released)$/.test(name)) continue;
    const p = path.join(parent, name);
    const st = await stat(p).catch(() => undefined);
    if (st && Date.now() - st.ctimeMs > LEFTOVER_MS) await rm(p, { recursive: true, force: true }).catch(() => undefined);
  }
}
