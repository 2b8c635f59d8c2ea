// oxc-parser's AST without its JS wrapper. parseSync() wraps the native result in an object
// whose getters take every field and JSON.parse the AST on first use; on the bench's 3,930
// files the same AST came out about a quarter faster when read straight from the native
// result (.scratch measurements in the closing note of session 4), so this takes the three
// fields faultline reads and applies the wrapper's one fix-up (BigInt and RegExp literal
// values, which JSON cannot carry) itself.
import { parseSync as parseSyncNative } from 'oxc-parser/src-js/bindings';

export interface OxcResult {
  program: any;
  comments: { type: string; value: string; start: number; end: number }[];
  errors: { message: string }[];
}

export function parseOxc(file: string, text: string, options: Record<string, unknown>): OxcResult {
  const native = parseSyncNative(file, text, options) as { program: string; comments: OxcResult['comments']; errors: OxcResult['errors']; module: unknown };
  const errors = native.errors;
  const comments = native.comments;
  // read (and so released on the native side) even though unused: an unread field lives until the result's finalizer runs
  void native.module;
  const { node, fixes } = JSON.parse(native.program) as { node: any; fixes: (string | number)[][] };
  for (const path of fixes) fixLiteral(node, path);
  return { program: node, comments, errors };
}

function fixLiteral(program: any, path: (string | number)[]): void {
  let node = program;
  for (const key of path) node = node[key];
  if (node.bigint) node.value = BigInt(node.bigint);
  else {
    try {
      node.value = RegExp(node.regex.pattern, node.regex.flags);
    } catch {
      // a pattern this Node's RegExp does not accept keeps value null, as oxc-parser's own wrapper does
    }
  }
}
