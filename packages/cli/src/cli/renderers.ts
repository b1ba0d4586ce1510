// Every renderer a command's `output` may use: the runner imports this module only when it prints,
// so `--help` and the calls before the first AWS request load no table code.
export * from './render.js';
export * from './renderDoctor.js';
export * from './renderExports.js';
export * from './renderSecurity.js';
