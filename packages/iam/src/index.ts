export * from './types.js';
export * from './errors.js';
export * from './resolve.js';
export * from './world.js';
export * from './evaluate.js';
export * from './deployment.js';
export * from './cast.js';
export * from './gateway.js';
