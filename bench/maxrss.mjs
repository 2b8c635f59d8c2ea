// Preloaded with `node --import` when /usr/bin/time is unavailable: appends this process's
// peak resident set size (kB) and CPU time (user + system, microseconds), both from
// process.resourceUsage(), to $FAULTLINE_BENCH_RSS_FILE at exit. Child processes inherit the variable and append their own line; the runner takes
// the largest, which is what `/usr/bin/time -v` reports too.
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const target = process.env.FAULTLINE_BENCH_RSS_FILE;
if (target && isMainThread) {
  process.on('exit', () => {
    try {
      const usage = process.resourceUsage();
      appendFileSync(target, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}\n`);
    } catch {
      // best effort: the runner reports "?" when the file is missing
    }
  });
}
