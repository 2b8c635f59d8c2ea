import { parseKeyValueConf, settingValue } from '../_infra.js';
import type { Evidence } from '../../model/types.js';
import type { InfraFacts, TechPack } from '../types.js';

const KEYS = new Set(['listen_port', 'pool_mode', 'default_pool_size', 'reserve_pool_size', 'min_pool_size', 'max_client_conn', 'max_db_connections', 'max_user_connections', 'query_timeout', 'server_idle_timeout']);

/** pgbouncer.ini: the pooler's mode and sizes ([pgbouncer] section) and its databases. */
const pack: TechPack = {
  id: 'pgbouncer',
  title: 'PgBouncer (pgbouncer.ini)',
  upstreamDocs: ['https://www.pgbouncer.org/config.html'],
  readConfig(files) {
    const out: InfraFacts = { resources: [] };
    for (const f of files) {
      if (!/(^|\/)pgbouncer\.ini$/.test(f.rel)) continue;
      const settings: Record<string, string | number | boolean> = { kind: 'pgbouncer', file: f.rel };
      const settingEvidence: Record<string, Evidence> = {};
      let databases = 0;
      let section: Evidence | undefined;
      for (const kv of parseKeyValueConf(f.text)) {
        if (kv.section === 'databases') databases++;
        if (kv.section !== 'pgbouncer' || !KEYS.has(kv.key)) continue;
        section ??= { file: f.rel, line: kv.line };
        settings[kv.key] = settingValue(kv.value)!;
        settingEvidence[kv.key] = { file: f.rel, line: kv.line };
      }
      if (databases) settings.databases = databases;
      const head = f.text.split('\n').findIndex((l) => /^\s*\[pgbouncer\]/.test(l));
      out.resources!.push({ ref: { kind: 'datastore', name: 'pgbouncer', tech: 'pgbouncer' }, evidence: [head >= 0 ? { file: f.rel, line: head + 1 } : section ?? { file: f.rel, line: 1 }], settings, settingEvidence, origin: 'pgbouncer.ini' });
    }
    return out;
  },
};
export default pack;
