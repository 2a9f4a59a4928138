// When to validate a changed document. An edit after a quiet spell is validated at once, so a
// single change gets its diagnostics in milliseconds; edits within `delayMs` of the last
// validation (a burst of typing) collapse into one validation at the end of that window.

export class DiagnosticsScheduler {
  private readonly lastRun = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly delayMs: number, private readonly validate: (uri: string) => void) {}

  changed(uri: string): void {
    if (this.timers.has(uri)) return; // a validation is already due and will see this change
    const wait = (this.lastRun.get(uri) ?? -Infinity) + this.delayMs - performance.now();
    if (wait <= 0) return this.run(uri);
    this.timers.set(uri, setTimeout(() => this.run(uri), wait));
  }

  forget(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.lastRun.delete(uri);
  }

  private run(uri: string): void {
    this.timers.delete(uri);
    this.lastRun.set(uri, performance.now());
    this.validate(uri);
  }
}
