import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * One full garbage collection, where the caller knows that much memory just became garbage
 * that V8 cannot see or would not collect yet. `gc` is reached the way jest's leak detector
 * does it: set the flag, then a fresh context sees the function; without it nothing happens.
 */
export function collectGarbage(): void {
  try {
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
  } catch {
    // no gc
  }
}
