import fs from 'node:fs';
import path from 'node:path';
import type { Model } from '../model/types.js';
import { renderText } from '../render/text.js';
import { runPipeline } from '../pipeline.js';
import { UserError } from '../shared/errors.js';
import { stableJson } from '../shared/json.js';

const USAGE = `Usage: faultline scan [DIR] [--json FILE] [--format text|json] [--quiet]

Commands:
  scan [DIR]     map the architecture of DIR (default .) and report
  help           show this help
`;

interface Flags {
  _: string[];
  json?: string;
  format?: string;
  quiet?: boolean;
  out?: string;
  mode?: string;
  config?: string;
  'fail-on'?: string;
}

export function parseFlags(argv: string[]): Flags {
  const flags: Flags = { _: [] };
  const takesValue = new Set(['json', 'format', 'out', 'mode', 'config', 'fail-on', 'baseline', 'what-if']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s);
      if (takesValue.has(k)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UserError(`--${k} needs a value`, USAGE.split('\n')[0]);
        (flags as any)[k] = v;
      } else if (k === 'quiet' || k === 'open' || k === 'help') (flags as any)[k] = true;
      else throw new UserError(`unknown option --${k}`, 'run `faultline help` for the options');
    } else flags._.push(a);
  }
  return flags;
}

export async function runScan(dir: string, flags: Flags): Promise<Model> {
  const started = Date.now();
  let lastProgress = 0;
  const progress = (stage: string, done?: number, total?: number) => {
    if (flags.quiet) return;
    const now = Date.now();
    if (now - started < 1000 || now - lastProgress < 250) return;
    lastProgress = now;
    process.stderr.write(`\rfaultline: ${stage}${total ? ` ${done}/${total}` : ''}   `);
  };
  const { model } = await runPipeline(dir, { onProgress: progress, configFile: flags.config });
  if (!flags.quiet && Date.now() - started >= 1000) process.stderr.write('\r' + ' '.repeat(60) + '\r');
  return model;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const flags = parseFlags(argv);
    const [cmd, ...rest] = flags._;
    if (!cmd || cmd === 'help' || (flags as any).help) {
      process.stdout.write(USAGE);
      return cmd || (flags as any).help ? 0 : 2;
    }
    if (cmd === 'scan') {
      const dir = rest[0] ?? '.';
      const model = await runScan(dir, flags);
      const json = stableJson(model);
      if (flags.json) fs.writeFileSync(path.resolve(flags.json), json);
      const format = flags.format ?? 'text';
      if (format === 'json') process.stdout.write(json);
      else if (format === 'text') {
        if (!flags.quiet) process.stdout.write(renderText(model, { color: !!process.stdout.isTTY }));
      } else throw new UserError(`unknown format: ${format}`, 'use --format text|json|md|sarif');
      return 0;
    }
    throw new UserError(`unknown command: ${cmd}`, 'run `faultline help` for the commands');
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`faultline: ${e.message}${e.hint ? ` — ${e.hint}` : ''}\n`);
      return 2;
    }
    throw e;
  }
}
