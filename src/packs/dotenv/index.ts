import { parseDotenv } from '../../walk/config-files.js';
import type { InfraFacts, TechPack } from '../types.js';

/** A template of the real file (`.env.example`, `.env.sample`, `.env.production.template`, `.env.dist`): its values are placeholders or defaults. */
function isTemplate(rel: string): boolean {
  return /\.(example|sample|template|dist|tpl)(\.|$)/.test(rel.slice(rel.lastIndexOf('/') + 1));
}

/** .env and .env.example: values that tell which datastore a URL points at. */
const pack: TechPack = {
  id: 'dotenv',
  title: '.env files',
  upstreamDocs: ['https://github.com/motdotla/dotenv#readme'],
  readConfig(files) {
    const out: InfraFacts = { env: {} };
    // real files before templates (.env.example, .sample, .template, .dist), so committed real values win; sorted for determinism
    const envFiles = files.filter((f) => /(^|\/)\.env(\.[\w.-]+)?$/.test(f.rel)).sort((a, b) => (isTemplate(a.rel) === isTemplate(b.rel) ? (a.rel < b.rel ? -1 : 1) : isTemplate(a.rel) ? 1 : -1));
    for (const f of envFiles) {
      for (const [k, v] of Object.entries(parseDotenv(f.text))) if (!out.env![k]) out.env![k] = { value: v.value, evidence: { file: f.rel, line: v.line } };
    }
    return out;
  },
};
export default pack;
