// Preloaded into a synthesized app (`node -r`): writes the process's peak resident memory (KiB)
// to BENCH_RSS_FILE when it exits, so the synth benchmark measures the app, not its parent.
process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
