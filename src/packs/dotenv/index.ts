import { parseDotenv } from '../../walk/config-files.js';
import type { InfraFacts, TechPack } from '../types.js';

/** .env and .env.example: values that tell which datastore a URL points at. */
const pack: TechPack = {
  id: 'dotenv',
  title: '.env files',
  upstreamDocs: ['https://github.com/motdotla/dotenv#readme'],
  readConfig(files) {
    const out: InfraFacts = { env: {} };
    // .env.example first so real .env values (when committed) win; sorted for determinism
    const envFiles = files.filter((f) => /(^|\/)\.env(\.[\w.-]+)?$/.test(f.rel)).sort((a, b) => (a.rel.includes('example') === b.rel.includes('example') ? (a.rel < b.rel ? -1 : 1) : a.rel.includes('example') ? 1 : -1));
    for (const f of envFiles) {
      for (const [k, v] of Object.entries(parseDotenv(f.text))) if (!out.env![k]) out.env![k] = { value: v.value, evidence: { file: f.rel, line: v.line } };
    }
    return out;
  },
};
export default pack;
