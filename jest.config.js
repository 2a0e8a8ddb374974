// One jest run, six projects: unit specs next to the code; database integration, end-to-end,
// browser, security and chaos suites under test/. @swc/jest compiles TypeScript with decorator metadata;
// Nest's ESM-only dependencies are transformed too (transformIgnorePatterns below).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs)/)'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/server/src/**/*.spec.ts', '<rootDir>/web/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
    // Hostile input and least privilege: each reproduction of issue 15, and fuzzing of the ingest endpoints.
    { ...common, displayName: 'security', testMatch: ['<rootDir>/test/security/**/*.test.ts'] },
    // Processes killed, Slack and deploy systems failing, PostgreSQL restarted (test/chaos/chaos-support.ts).
    { ...common, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.test.ts'] },
  ],
  testTimeout: 120000,
};
