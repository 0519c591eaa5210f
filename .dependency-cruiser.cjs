// The layering rules of src/ (docs/architecture.md), checked by `npm run check:layers`, which `npm test`
// runs first. Arrows run one way: http → services → db → domain; worker → {db, upstreams, domain};
// upstreams → domain; the simulators stand apart from the gateway.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle under src/ makes two modules one: split out what both need (usually into domain/).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds the contracts every layer shares: it imports nothing else of the gateway.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'db-below-everything-but-domain',
      severity: 'error',
      comment: 'Storage must not depend on scheduling, vendors, use cases or transport: move the shared type to domain/.',
      from: { path: '^src/db/' },
      to: { path: '^src/(worker|upstreams|services|http|callbacks|evidence|audit|reports|privacy|simulators|console)/' },
    },
    {
      name: 'upstream-clients-know-only-the-domain',
      severity: 'error',
      comment: 'A vendor client classifies answers; it does not reach the database, the worker, use cases or HTTP.',
      from: { path: '^src/upstreams/' },
      to: { path: '^src/(db|worker|services|http|callbacks|evidence|audit|reports|privacy|simulators|console)/' },
    },
    {
      name: 'services-know-no-transport',
      severity: 'error',
      comment: 'Use cases take and return domain types; the HTTP layer maps them.',
      from: { path: '^src/(services|callbacks|evidence|audit|reports|privacy)/' },
      to: { path: '^src/(http|console)/' },
    },
    {
      name: 'worker-below-services',
      severity: 'error',
      comment: 'The engine drives tasks through db/ and upstreams/; use cases and HTTP sit above it.',
      from: { path: '^src/worker/' },
      to: { path: '^src/(services|http|callbacks|evidence|audit|reports|privacy|simulators|console)/' },
    },
    {
      name: 'nothing-uses-the-worker-internals',
      severity: 'error',
      comment: 'Only process wiring starts a worker; other layers talk to it through the database.',
      from: { path: '^src/', pathNot: '^src/(worker/|worker-role\\.ts|main\\.ts|worker-main\\.ts)' },
      to: { path: '^src/worker/' },
    },
    {
      name: 'simulators-stand-apart',
      severity: 'error',
      comment: 'The simulators stand in for the vendors: sharing the clients’ code would share their assumptions.',
      from: { path: '^src/simulators/' },
      to: { path: '^src/', pathNot: '^src/simulators/' },
    },
    {
      name: 'gateway-does-not-import-simulators',
      severity: 'error',
      comment: 'Only the sandbox and the simulators’ own entry start them.',
      from: { path: '^src/', pathNot: '^src/(simulators/|sandbox\\.ts|simulators-main\\.ts)' },
      to: { path: '^src/simulators/' },
    },
  ],
  options: {
    // TypeScript 7 ships no compiler API yet: swc parses the sources.
    parser: 'swc',
    // swc keeps type-only imports in the graph (they count: a type is a dependency too), so the
    // tsc-based pre-compilation option is not needed.
    tsPreCompilationDeps: false,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
