/**
 * A minimal circuit breaker: after `failureThreshold` consecutive failures the store is not
 * called for `openMs`; then one probe goes through (half-open) and its outcome closes or
 * re-opens the circuit. During an outage answers come from the fallback rules immediately
 * instead of each request waiting for its own timeout.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly openMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a call may go to the store now. */
  allow(): boolean {
    if (this.failures < this.failureThreshold) return true;
    if (this.now() < this.openUntil || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
  }

  failure(): void {
    this.failures++;
    this.probing = false;
    if (this.failures >= this.failureThreshold) this.openUntil = this.now() + this.openMs;
  }

  get isOpen(): boolean {
    return this.failures >= this.failureThreshold;
  }
}
