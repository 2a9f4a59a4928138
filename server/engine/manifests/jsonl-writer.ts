// Streaming JSON-lines writer. Rows go to `<name>.partial`; close() renames it to `<name>`,
// so a file under its final name is always complete, and a crashed or failed run leaves a
// visibly incomplete `.partial` behind.
import { open, rename, type FileHandle } from 'node:fs/promises';

export interface JsonlWriterOptions {
  /** Buffered bytes that trigger a file write (default 64 KiB): one syscall per chunk, not per row. */
  chunkBytes?: number;
  /** Backlog (buffered + in flight) above which write() returns false (default 1 MiB). */
  highWaterMark?: number;
}

export class JsonlWriter<Row = unknown> {
  readonly partialPath: string;
  private readonly chunkBytes: number;
  private readonly highWaterMark: number;
  private fh: FileHandle | undefined;
  private lines: string[] = [];
  private bufferedBytes = 0;
  private inFlightBytes = 0;
  /** Open, then chunk writes, in order. It never rejects: the first error lands in `failure`. */
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private finished = false;
  private rowCount = 0;

  /** Starts opening `<path>.partial` right away; a failure to open surfaces on the next write, drain or close. */
  constructor(readonly path: string, opts: JsonlWriterOptions = {}) {
    this.partialPath = `${path}.partial`;
    this.chunkBytes = opts.chunkBytes ?? 64 * 1024;
    this.highWaterMark = opts.highWaterMark ?? 1024 * 1024;
    this.tail = this.step(async () => {
      this.fh = await open(this.partialPath, 'w');
    });
  }

  get rows(): number {
    return this.rowCount;
  }

  /**
   * Queue one row. Synchronous so that sync callbacks (the recorder's) can call it. Returns
   * false when the backlog is above the high-water mark: the caller should `await drain()`
   * before writing much more (the same contract as a Node stream's write()).
   */
  write(row: Row): boolean {
    if (this.finished) throw new Error(`${this.path}: write after close/abandon`);
    if (this.failure) throw this.failure;
    const line = JSON.stringify(row) + '\n';
    this.lines.push(line);
    this.bufferedBytes += Buffer.byteLength(line);
    this.rowCount++;
    if (this.bufferedBytes >= this.chunkBytes) this.flush();
    return this.bufferedBytes + this.inFlightBytes < this.highWaterMark;
  }

  /** Resolve once every row written so far is in the file; reject with the first write error. */
  async drain(): Promise<void> {
    this.flush();
    await this.tail;
    if (this.failure) throw this.failure;
  }

  /** Write the rest, fsync, and rename `.partial` to the final name. On a write error the `.partial` stays. */
  async close(): Promise<void> {
    if (this.finished) throw new Error(`${this.path}: already closed/abandoned`);
    this.finished = true;
    this.flush();
    await this.tail;
    try {
      if (this.failure) throw this.failure;
      await this.fh?.sync();
    } finally {
      await this.fh?.close();
    }
    await rename(this.partialPath, this.path);
  }

  /** Write what was handed over, then close without renaming: the `.partial` shows how far the run got. */
  async abandon(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.flush();
    await this.tail;
    await this.fh?.close();
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    const chunk = Buffer.from(this.lines.join(''));
    this.lines = [];
    this.bufferedBytes = 0;
    this.inFlightBytes += chunk.length;
    this.tail = this.step(() => writeAll(this.fh, chunk)).then(() => {
      this.inFlightBytes -= chunk.length;
    });
  }

  /** Chain `fn` after the previous step; skipped once a step has failed, and its error is kept, not thrown. */
  private step(fn: () => Promise<void>): Promise<void> {
    return this.tail.then(async () => {
      if (this.failure) return;
      try {
        await fn();
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
      }
    });
  }
}

/** fh.write may write fewer bytes than asked; loop until the chunk is all in. */
async function writeAll(fh: FileHandle | undefined, chunk: Buffer): Promise<void> {
  if (!fh) throw new Error('JSONL file is not open'); // unreachable: a failed open skips every later step
  for (let off = 0; off < chunk.length; ) {
    const { bytesWritten } = await fh.write(chunk, off);
    off += bytesWritten;
  }
}
