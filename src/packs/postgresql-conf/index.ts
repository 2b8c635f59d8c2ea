import { parseKeyValueConf, settingValue } from '../_infra.js';
import type { Evidence } from '../../model/types.js';
import type { InfraFacts, TechPack } from '../types.js';

/** Settings a capacity or timeout analysis reads from postgresql.conf. */
const KEYS = new Set(['max_connections', 'superuser_reserved_connections', 'reserved_connections', 'statement_timeout', 'idle_in_transaction_session_timeout', 'hot_standby', 'primary_conninfo', 'port']);

const dirOf = (rel: string) => rel.slice(0, rel.lastIndexOf('/') + 1);

/** postgresql.conf (and postgresql.*.conf, postgresql.auto.conf) committed to the repository. */
const pack: TechPack = {
  id: 'postgresql-conf',
  title: 'postgresql.conf',
  upstreamDocs: ['https://www.postgresql.org/docs/current/runtime-config-connection.html', 'https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT', 'https://www.postgresql.org/docs/current/config-setting.html#CONFIG-SETTING-CONFIGURATION-FILE'],
  readConfig(files) {
    const out: InfraFacts = { resources: [] };
    const confs = files.filter((f) => /(^|\/)postgresql(\.[\w-]+)?\.conf$/.test(f.rel));
    const rels = new Set(confs.map((f) => f.rel));
    for (const f of confs) {
      // postgresql.auto.conf (ALTER SYSTEM) is read after the postgresql.conf beside it and overrides it: one server, not two
      const auto = /(^|\/)postgresql\.auto\.conf$/.test(f.rel);
      if (auto && rels.has(`${dirOf(f.rel)}postgresql.conf`)) continue;
      const layers = /(^|\/)postgresql\.conf$/.test(f.rel) ? [f, ...confs.filter((a) => a.rel === `${dirOf(f.rel)}postgresql.auto.conf`)] : [f];
      const settings: Record<string, string | number | boolean> = { file: f.rel };
      const settingEvidence: Record<string, Evidence> = {};
      for (const layer of layers) {
        for (const kv of parseKeyValueConf(layer.text)) {
          if (!KEYS.has(kv.key)) continue;
          settings[kv.key] = settingValue(kv.value)!;
          settingEvidence[kv.key] = { file: layer.rel, line: kv.line };
        }
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
