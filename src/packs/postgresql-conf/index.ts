import { parseKeyValueConf, settingValue } from '../_infra.js';
import type { Evidence } from '../../model/types.js';
import type { InfraFacts, TechPack } from '../types.js';

/** Settings a capacity or timeout analysis reads from postgresql.conf. */
const KEYS = new Set(['max_connections', 'superuser_reserved_connections', 'reserved_connections', 'statement_timeout', 'idle_in_transaction_session_timeout', 'hot_standby', 'primary_conninfo', 'port']);

/** postgresql.conf (and postgresql.*.conf, postgresql.auto.conf) committed to the repository. */
const pack: TechPack = {
  id: 'postgresql-conf',
  title: 'postgresql.conf',
  upstreamDocs: ['https://www.postgresql.org/docs/current/runtime-config-connection.html', 'https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT'],
  readConfig(files) {
    const out: InfraFacts = { resources: [] };
    for (const f of files) {
      if (!/(^|\/)postgresql(\.[\w-]+)?\.conf$/.test(f.rel)) continue;
      const settings: Record<string, string | number | boolean> = { file: f.rel };
      const settingEvidence: Record<string, Evidence> = {};
      for (const kv of parseKeyValueConf(f.text)) {
        if (!KEYS.has(kv.key)) continue;
        settings[kv.key] = settingValue(kv.value)!;
        settingEvidence[kv.key] = { file: f.rel, line: kv.line };
      }
      // a standby's configuration: it streams from a primary
      const standby = settings.primary_conninfo !== undefined;
      if (standby) settings.role = 'replica';
      delete settings.primary_conninfo;
      const first = Object.values(settingEvidence)[0];
      out.resources!.push({ ref: { kind: 'datastore', name: 'postgres', tech: 'postgresql' }, evidence: [first ?? { file: f.rel, line: 1 }], settings, settingEvidence, origin: 'postgresql.conf', redundancy: standby ? { readReplica: true } : undefined });
    }
    return out;
  },
};
export default pack;
