// What a local session started, stopped in reverse order on exit, on error and on SIGINT.
export class Cleanup {
  private readonly steps: Array<() => Promise<void> | void> = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  /** Runs every step once, newest first; a failing step does not stop the others. */
  async run(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try { await step(); } catch { /* keep stopping the rest */ }
    }
  }
}
