export * from './errors.js';
export * from './clients.js';
export * from './emulator.js';
export * from './dynamodbLocal.js';
export * from './world.js';
export * from './parameterStore.js';
export * from './pump.js';
export * from './local.js';
export * from './state.js';
export * from './enforcement.js';
// The test harness (startTestSandbox, TestSandbox, readIndexRecords) is the `@ssmhub/sandbox/testing` subpath.
