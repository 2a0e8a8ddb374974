/**
 * Dependency rules for server/src: no cycles, and the pipeline flows one way
 * (sources → slo → incidents → notify; rollback and notify never import each other).
 * A stage must not import a stage downstream of it.
 */
const stage = (name) => `^server/src/${name}/`;
const downstreamOf = {
  rules: ['sources', 'slo', 'guardrails', 'incidents', 'notify', 'rollback', 'oncall'],
  sources: ['incidents', 'notify', 'rollback', 'oncall'],
  slo: ['sources', 'incidents', 'notify', 'rollback', 'oncall'],
  guardrails: ['sources', 'incidents', 'notify', 'rollback', 'oncall'],
  incidents: ['sources', 'slo', 'guardrails', 'notify', 'rollback', 'oncall'],
  oncall: ['notify', 'rollback'],
  outbox: ['sources', 'slo', 'incidents', 'notify', 'rollback', 'oncall'],
  common: ['sources', 'slo', 'guardrails', 'incidents', 'notify', 'rollback', 'oncall', 'outbox', 'rules', 'auth'],
  config: ['sources', 'slo', 'guardrails', 'incidents', 'notify', 'rollback', 'oncall', 'outbox', 'rules', 'auth', 'common'],
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
