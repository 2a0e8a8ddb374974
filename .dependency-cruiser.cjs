/**
 * Dependency rules for server/src: no cycles between files or between folders, and the pipeline
 * flows one way (sources → slo → incidents → oncall → notify, incidents → rollback; rollback and
 * notify never import each other). A stage must not import a stage downstream of it: it receives
 * the next stage as an argument (server/src/pipeline.ts composes them). Tables are kept to their
 * module by scripts/check-table-ownership.mjs, also part of `npm run lint`.
 */
const stage = (name) => `^server/src/${name}/`;
const downstreamOf = {
  rules: ['sources', 'slo', 'guardrails', 'incidents', 'notify', 'rollback', 'oncall', 'gates'],
  sources: ['incidents', 'notify', 'rollback', 'oncall'],
  slo: ['sources', 'incidents', 'notify', 'rollback', 'oncall', 'gates'],
  guardrails: ['sources', 'incidents', 'notify', 'rollback', 'oncall', 'gates'],
  incidents: ['sources', 'slo', 'guardrails', 'notify', 'rollback', 'oncall', 'gates'],
  oncall: ['notify', 'rollback'],
  // The change log is read by incidents, notify and rollback, and written by sources: it imports none of them.
  changes: ['sources', 'slo', 'guardrails', 'incidents', 'notify', 'rollback', 'oncall'],
  outbox: ['sources', 'slo', 'incidents', 'notify', 'rollback', 'oncall'],
  common: ['sources', 'slo', 'guardrails', 'incidents', 'notify', 'rollback', 'oncall', 'outbox', 'rules', 'auth', 'changes'],
  config: ['sources', 'slo', 'guardrails', 'incidents', 'notify', 'rollback', 'oncall', 'outbox', 'rules', 'auth', 'common', 'changes'],
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'dependency cycles hide design problems (type-only imports vanish at run time and do not count)',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment: 'a folder is one concept: two folders that import each other are one concept, or need a port between them',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'notify-and-rollback-apart',
      severity: 'error',
      comment: 'notify and rollback never import each other: the page asks rollback for its buttons through INCIDENT_ACTIONS',
      from: { path: '^server/src/(notify|rollback)/' },
      to: { path: '^server/src/(notify|rollback)/', pathNot: '^server/src/$1/', dependencyTypesNot: ['type-only'] },
    },
    ...Object.entries(downstreamOf).map(([from, targets]) => ({
      name: `${from}-not-downstream`,
      severity: 'error',
      comment: `${from} must not import a stage downstream of it`,
      from: { path: stage(from) },
      to: { path: `^server/src/(${targets.join('|')})/`, dependencyTypesNot: ['type-only'] },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
  },
};
