// How TypeScript becomes JavaScript everywhere it runs from source (Jest, the demo, dev servers, tests'
// child processes): ESM output with legacy decorators and their metadata, which NestJS and TypeORM need.
export const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};
