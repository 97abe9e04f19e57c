// Preloaded into a synthesized app (`node -r`): writes the process's peak resident memory (KiB)
// and CPU time (microseconds) to BENCH_RSS_FILE when it exits, so the synth benchmark measures
// the app, not its parent.
process.on('exit', () => {
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, JSON.stringify({ maxRSS, cpuMicros: userCPUTime + systemCPUTime }));
});
