// oxc-parser exports its native binding (package.json "./src-js/bindings") without types.
declare module 'oxc-parser/src-js/bindings' {
  export function parseSync(filename: string, sourceText: string, options?: Record<string, unknown>): unknown;
}
