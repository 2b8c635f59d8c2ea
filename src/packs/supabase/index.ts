import { callChain, execution } from '../_lib/chain.js';
import type { CallMeaning, ResourceRef, TechPack } from '../types.js';

const POSTGRES: ResourceRef = { kind: 'datastore', name: 'postgres', tech: 'supabase-postgres' };
const STORAGE: ResourceRef = { kind: 'datastore', name: 'supabase-storage', tech: 'supabase-storage' };
const AUTH: ResourceRef = { kind: 'external', name: 'supabase-auth', tech: 'supabase-auth' };
const FUNCTIONS: ResourceRef = { kind: 'external', name: 'supabase-functions', tech: 'supabase-functions' };

/** PostgREST verbs after from('table') (https://supabase.com/docs/reference/javascript/select). */
const TABLE_WRITES = new Set(['insert', 'update', 'upsert', 'delete']);
/** Storage bucket methods (https://supabase.com/docs/reference/javascript/storage-from-upload). */
const STORAGE_WRITES = new Set(['upload', 'update', 'move', 'copy', 'remove', 'uploadToSignedUrl', 'createBucket', 'updateBucket', 'deleteBucket', 'emptyBucket']);
const STORAGE_READS = new Set(['download', 'list', 'createSignedUrl', 'createSignedUrls', 'createSignedUploadUrl', 'info', 'exists', 'listBuckets', 'getBucket']);
/** Client-side only: no request (getPublicUrl builds a URL string; listeners and channels are local or realtime). */
const LOCAL_AUTH = new Set(['onAuthStateChange', 'startAutoRefresh', 'stopAutoRefresh', 'initialize']);

const CLIENT_FACTORY = /(^|\.)(createClient|createServerClient|createBrowserClient|SupabaseClient)$/;

/** Supabase: from('t') → Postgres via PostgREST; rpc → a Postgres function; auth → Supabase Auth; storage → Storage. */
const pack: TechPack = {
  id: 'supabase',
  title: 'Supabase (supabase-js)',
  upstreamDocs: ['https://supabase.com/docs/reference/javascript/select', 'https://supabase.com/docs/reference/javascript/rpc', 'https://supabase.com/docs/reference/javascript/auth-getuser', 'https://supabase.com/docs/reference/javascript/storage-from-upload'],
  packages: ['@supabase/supabase-js', '@supabase/ssr'],
  classifyCall(call): CallMeaning | undefined {
    if (!call.instance || call.call.isNew || !CLIENT_FACTORY.test(call.instance.ctor.split('.')[0])) return { use: 'ignore' };
    const chain = callChain(call.facts, call.call);
    // supabase.schema('billing').from('invoices')...
    const path = call.member[0] === 'schema' ? [...call.member.slice(1), ...chain.members] : [...call.member, ...chain.members];
    const head = path[0];
    if (head === undefined) return { use: 'ignore' };
    if (head === 'auth') {
      const op = path[path.length - 1];
      if (path.length < 2 || LOCAL_AUTH.has(op)) return { use: 'ignore' };
      return { use: 'dependency', target: AUTH, edge: 'calls', op: 'http' };
    }
    if (head === 'functions') return path[1] === 'invoke' ? { use: 'dependency', target: FUNCTIONS, edge: 'calls', op: 'http' } : { use: 'ignore' };
    if (head === 'storage') {
      const op = path[1] === 'from' ? path[2] : path[1];
      if (op !== undefined && STORAGE_WRITES.has(op)) return { use: 'dependency', target: STORAGE, edge: 'writes', op: 'write' };
      if (op !== undefined && STORAGE_READS.has(op)) return { use: 'dependency', target: STORAGE, edge: 'reads', readOnly: true, op: 'query' };
      return { use: 'ignore' }; // getPublicUrl, from('bucket') alone
    }
    const exec = execution(call.facts, call.call, chain);
    if (exec === 'fragment') return { use: 'ignore' };
    if (head === 'rpc') {
      // a Postgres function may read or write: only the use is known
      return { use: 'dependency', target: POSTGRES, edge: 'uses', op: 'raw-query' };
    }
    if (head === 'from') {
      const verb = path.slice(1).find((x) => x === 'select' || TABLE_WRITES.has(x));
      if (verb && TABLE_WRITES.has(verb)) return { use: 'dependency', target: POSTGRES, edge: 'writes', op: 'write' };
      if (verb === 'select') return { use: 'dependency', target: POSTGRES, edge: 'reads', readOnly: true, op: 'query' };
      return exec === 'kept' ? { use: 'dependency', target: POSTGRES, edge: 'uses', op: 'query' } : { use: 'ignore' };
    }
    // realtime channels, removeChannel, getChannels: not a request/response dependency
    return { use: 'ignore' };
  },
};
export default pack;
