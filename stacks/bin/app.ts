#!/usr/bin/env node
// The ssmhub CDK app (run by `npx cdk synth|deploy` through cdk.json's "app").
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lib/config.js';
import { buildApp } from '../lib/app.js';

try {
  buildApp(new App());
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
